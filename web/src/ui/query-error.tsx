// How a failed query is shown: an alert with the reason and, if possible, a retry button.
import { QmpError } from '../qmp/qmp-errors.ts';

export function errorMessage(error: unknown): string {
  if (error instanceof QmpError) return `${error.errorClass}: ${error.desc}`;
  if (error instanceof Error) return error.message;
  return String(error);
}

export function QueryError({ what, error, onRetry }: { what: string; error: unknown; onRetry?: () => void }) {
  return (
    <div role="alert" className="notice notice-error">
      <p>
        {what}: {errorMessage(error)}
      </p>
      {onRetry ? (
        <button type="button" onClick={onRetry}>
          Retry
        </button>
      ) : null}
    </div>
  );
}

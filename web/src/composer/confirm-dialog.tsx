// "Run quit on demo?": a modal dialog naming the VM. Cancel has the focus; Esc cancels; Tab stays inside.
import { type KeyboardEvent, useEffect, useId, useRef } from 'react';

export interface ConfirmDialogProps {
  vm: string;
  command: string;
  /** What running it will do. */
  consequence: string;
  /** The command as it will be sent (qmp-shell line). */
  line: string;
  onConfirm: () => void;
  onCancel: () => void;
}

export function ConfirmDialog({ vm, command, consequence, line, onConfirm, onCancel }: ConfirmDialogProps) {
  const ids = useId();
  const cancelRef = useRef<HTMLButtonElement>(null);
  const dialogRef = useRef<HTMLDivElement>(null);

  useEffect(() => {
    cancelRef.current?.focus();
  }, []);

  const onKeyDown = (e: KeyboardEvent<HTMLDivElement>) => {
    if (e.key === 'Escape') {
      e.preventDefault();
      e.stopPropagation();
      onCancel();
      return;
    }
    if (e.key !== 'Tab') return;
    const focusable = dialogRef.current?.querySelectorAll<HTMLElement>('button:not([disabled])');
    if (!focusable?.length) return;
    const first = focusable[0]!;
    const last = focusable[focusable.length - 1]!;
    if (e.shiftKey && document.activeElement === first) {
      e.preventDefault();
      last.focus();
    } else if (!e.shiftKey && document.activeElement === last) {
      e.preventDefault();
      first.focus();
    }
  };

  return (
    <div className="dialog-backdrop">
      <div
        ref={dialogRef}
        role="dialog"
        aria-modal="true"
        aria-labelledby={`${ids}-title`}
        aria-describedby={`${ids}-desc`}
        className="dialog"
        onKeyDown={onKeyDown}
      >
        <h2 id={`${ids}-title`}>
          Run {command} on {vm}?
        </h2>
        <p id={`${ids}-desc`}>{consequence}</p>
        <pre className="dialog-command">{line}</pre>
        <div className="dialog-actions">
          <button ref={cancelRef} type="button" onClick={onCancel}>
            Cancel
          </button>
          <button type="button" className="danger" onClick={onConfirm}>
            Run {command} on {vm}
          </button>
        </div>
      </div>
    </div>
  );
}

// The one confirmation dialog: the browser's own modal <dialog> (focus stays inside), Cancel first and
// focused, Escape cancels. Mounted while asking; unmounting closes it and focus returns to the opener.
import { type ReactNode, useEffect, useId, useRef, useState } from 'react';
import './confirm-dialog.css';

export interface ConfirmDialogProps {
  /** "Reset demo?": names the VM. */
  title: string;
  /** The confirming button, naming what it does: "Reset demo". */
  confirmLabel: string;
  /** `danger` for what cannot be undone (the default); `primary` for a remedy such as Resume. */
  tone?: 'danger' | 'primary';
  onConfirm: () => void;
  onCancel: () => void;
  /** What confirming does, in words. */
  children: ReactNode;
}

export function ConfirmDialog({
  title,
  confirmLabel,
  tone = 'danger',
  onConfirm,
  onCancel,
  children,
}: ConfirmDialogProps) {
  const ref = useRef<HTMLDialogElement>(null);
  // Focus goes back to what opened the dialog (the invoking button), not to <body>. Read while rendering:
  // Cancel's autoFocus has moved focus by the time effects run.
  const [opener] = useState(() =>
    document.activeElement instanceof HTMLElement ? document.activeElement : null,
  );
  const ids = useId();

  useEffect(() => {
    const dialog = ref.current;
    if (dialog && !dialog.open) {
      if (typeof dialog.showModal === 'function') dialog.showModal();
      else dialog.setAttribute('open', '');
    }
    return () => {
      if (dialog?.open) dialog.close();
      // Only once the dialog has really left the page (StrictMode's rehearsal unmount keeps it there).
      queueMicrotask(() => {
        if (!dialog?.isConnected && opener?.isConnected) opener.focus();
      });
    };
  }, [opener]);

  return (
    <dialog
      ref={ref}
      className="confirm-dialog"
      aria-labelledby={`${ids}-t`}
      aria-describedby={`${ids}-d`}
      onCancel={(e) => {
        e.preventDefault();
        onCancel();
      }}
      onKeyDown={(e) => {
        // Not every engine turns Escape into `cancel`; and the keys must not reach the page below.
        if (e.key !== 'Escape') return;
        e.preventDefault();
        e.stopPropagation();
        onCancel();
      }}
    >
      <form
        method="dialog"
        onSubmit={(e) => {
          e.preventDefault();
          onConfirm();
        }}
      >
        <h2 id={`${ids}-t`}>{title}</h2>
        <div id={`${ids}-d`} className="confirm-body">
          {children}
        </div>
        <div className="dialog-actions">
          {/* Cancel first and focused: Enter on a stray keypress does nothing harmful. */}
          {/* biome-ignore lint/a11y/noAutofocus: the dialog's safe choice takes focus on open */}
          <button type="button" autoFocus onClick={onCancel}>
            Cancel
          </button>
          <button type="submit" className={tone === 'danger' ? 'danger' : 'button-primary'}>
            {confirmLabel}
          </button>
        </div>
      </form>
    </dialog>
  );
}

// Browser notifications for new alerts, once the person allows them.
import { useSyncExternalStore } from 'react';

type Permission = NotificationPermission | 'unsupported';

// Reading `Notification.permission` can block on the browser process (measured: tens of ms while the
// page is busy), so it is read once and then only when it may have changed.
let permission: Permission | null = null;
function currentPermission(): Permission {
  permission ??= typeof Notification === 'undefined' ? 'unsupported' : Notification.permission;
  return permission;
}

/** Shows a notification if allowed; `onClick` runs when the person clicks it. */
export function notify(title: string, body: string, tag: string, onClick?: () => void): void {
  if (currentPermission() !== 'granted') return;
  try {
    const n = new Notification(title, { body, tag });
    n.onclick = () => {
      window.focus();
      onClick?.();
      n.close();
    };
  } catch {
    // Some browsers only allow notifications from a service worker: the banner is still there.
  }
}

// Every button shows the same answer once the person has given it.
const listeners = new Set<() => void>();
const subscribe = (l: () => void) => {
  listeners.add(l);
  return () => listeners.delete(l);
};
const changed = () => {
  permission = null;
  for (const l of [...listeners]) l();
};
if (typeof navigator !== 'undefined' && navigator.permissions?.query)
  navigator.permissions.query({ name: 'notifications' }).then(
    (status) => {
      status.onchange = changed;
    },
    () => {},
  );

/** "Enable browser notifications" while the browser has not been asked; a word on the outcome after. */
export function NotificationButton() {
  const permission = useSyncExternalStore(subscribe, currentPermission, () => 'unsupported' as Permission);
  if (permission === 'unsupported') return null;
  if (permission === 'granted')
    return <span className="muted notification-state">Browser notifications on</span>;
  if (permission === 'denied')
    return (
      <span className="muted notification-state">
        Browser notifications blocked in this browser's settings
      </span>
    );
  return (
    <button
      type="button"
      onClick={() => {
        void Notification.requestPermission().then(changed, changed);
      }}
    >
      Enable browser notifications
    </button>
  );
}

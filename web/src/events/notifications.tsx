// Browser notifications for new alerts, once the person allows them.
import { useState } from 'react';

type Permission = NotificationPermission | 'unsupported';

function currentPermission(): Permission {
  return typeof Notification === 'undefined' ? 'unsupported' : Notification.permission;
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

/** "Enable browser notifications" while the browser has not been asked; a word on the outcome after. */
export function NotificationButton() {
  const [permission, setPermission] = useState<Permission>(currentPermission);
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
        void Notification.requestPermission().then(setPermission, () => setPermission(currentPermission()));
      }}
    >
      Enable browser notifications
    </button>
  );
}

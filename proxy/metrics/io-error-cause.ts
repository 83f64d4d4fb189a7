// BLOCK_IO_ERROR's `reason` is strerror() text: for people, not a label. The `cause` label is the errno's
// symbolic name, from a fixed list, so its values stay few whatever QEMU says.

/** glibc's strerror() texts for the errnos a disk, a file system or network storage return. */
const ERRNO_BY_TEXT = new Map<string, string>(
  Object.entries({
    'Input/output error': 'EIO',
    'No space left on device': 'ENOSPC',
    'Disk quota exceeded': 'EDQUOT',
    'Read-only file system': 'EROFS',
    'Permission denied': 'EACCES',
    'Operation not permitted': 'EPERM',
    'No medium found': 'ENOMEDIUM',
    'No such device': 'ENODEV',
    'No such device or address': 'ENXIO',
    'Invalid argument': 'EINVAL',
    'File too large': 'EFBIG',
    'Stale file handle': 'ESTALE',
    'Connection timed out': 'ETIMEDOUT',
    'Connection reset by peer': 'ECONNRESET',
    'Transport endpoint is not connected': 'ENOTCONN',
    'Broken pipe': 'EPIPE',
    'Cannot allocate memory': 'ENOMEM',
    'Operation not supported': 'ENOTSUP',
    'Operation canceled': 'ECANCELED',
  }),
);

export const IO_ERROR_CAUSES: readonly string[] = [...new Set(ERRNO_BY_TEXT.values()), 'other'];

/** `nospace: true` is ENOSPC whatever the text; an unknown text is `other`. */
export function ioErrorCause(reason: unknown, nospace: unknown): string {
  if (nospace === true) return 'ENOSPC';
  return (typeof reason === 'string' && ERRNO_BY_TEXT.get(reason)) || 'other';
}

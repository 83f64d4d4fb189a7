// QEMU's events as tests feed them to the journal and the hub.

/** BLOCK_IO_ERROR's data for a disk that fails reads with rerror=stop: each one bumps the same alert. */
export const failingReadData = {
  device: 'bad0',
  'node-name': '#b1',
  operation: 'read',
  action: 'stop',
  nospace: false,
  reason: 'Input/output error',
} as const;

// Bytes between the browser and a ringbuf chardev: base64 both ways, since a guest writes binary too.

export function base64ToBytes(b64: string): Uint8Array {
  const bin = atob(b64);
  const out = new Uint8Array(bin.length);
  for (let i = 0; i < bin.length; i++) out[i] = bin.charCodeAt(i);
  return out;
}

/** What a person typed (xterm's UTF-16 string) as the UTF-8 bytes a serial line carries, in base64. */
export function textToBase64(text: string): string {
  let bin = '';
  for (const b of new TextEncoder().encode(text)) bin += String.fromCharCode(b);
  return btoa(bin);
}

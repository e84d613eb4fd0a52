/** Test support: JPEG photos with location and device EXIF, and multipart posts through the HTML forms. */
import sharp from 'sharp';
import type { TestApp, TestClient } from '../../platform/testing.ts';

/** A photo of "the work" (a coloured card) carrying GPS coordinates, camera make and model, and software. */
export async function photoWithGps(width = 2400, height = 1600): Promise<Buffer> {
  return sharp({ create: { width, height, channels: 3, background: '#2a6' } })
    .withExif({
      IFD0: { Make: 'PhoneCo', Model: 'Phone 12 Pro', Software: 'Camera 4.2', Artist: 'Ana Student' },
      IFD3: { GPSLatitudeRef: 'N', GPSLatitude: '38/1 53/1 2/1', GPSLongitudeRef: 'W', GPSLongitude: '77/1 2/1 11/1' },
    })
    .jpeg()
    .toBuffer();
}

/** Posts a multipart form as a browser would, with the client's cookies and CSRF token. */
export async function postMultipart(t: TestApp, c: TestClient, url: string, fields: Record<string, string>, file?: { field: string; filename: string; type: string; data: Buffer }) {
  const boundary = `----test${Math.random().toString(16).slice(2)}`;
  const parts: Buffer[] = [];
  for (const [k, v] of Object.entries({ _csrf: c.csrf, ...fields })) parts.push(Buffer.from(`--${boundary}\r\nContent-Disposition: form-data; name="${k}"\r\n\r\n${v}\r\n`));
  if (file) {
    parts.push(Buffer.from(`--${boundary}\r\nContent-Disposition: form-data; name="${file.field}"; filename="${file.filename}"\r\nContent-Type: ${file.type}\r\n\r\n`));
    parts.push(file.data, Buffer.from('\r\n'));
  }
  parts.push(Buffer.from(`--${boundary}--\r\n`));
  const cookie = [...c.cookies].map(([k, v]) => `${k}=${v}`).join('; ');
  return t.app.inject({ method: 'POST', url, headers: { 'content-type': `multipart/form-data; boundary=${boundary}`, cookie }, payload: Buffer.concat(parts) });
}

export const isoDay = (days: number) => new Date(Date.now() + days * 86400_000).toISOString().slice(0, 10);

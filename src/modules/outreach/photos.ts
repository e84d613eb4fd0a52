/**
 * Reportback photos: decoded and re-encoded by sharp (libvips), which writes no metadata unless asked to, so EXIF
 * (location, device, time), XMP, IPTC and ICC data never reach the database. The pixels are first turned upright
 * by their EXIF orientation, since that tag goes too, and the image is resized to fit 1600 px.
 */
import sharp from 'sharp';

export const PHOTO_MAX_BYTES = 8 * 1024 * 1024;
const MAX_SIDE = 1600;
const ACCEPTED = new Set(['jpeg', 'png', 'webp', 'heif', 'avif', 'tiff', 'gif']);

export interface CleanPhoto {
  data: Buffer;
  mime: 'image/jpeg';
  width: number;
  height: number;
}

export class PhotoRefused extends Error {}

export async function cleanPhoto(input: Buffer): Promise<CleanPhoto> {
  if (input.length > PHOTO_MAX_BYTES) throw new PhotoRefused(`must be at most ${PHOTO_MAX_BYTES / 1024 / 1024} MB`);
  let format: string | undefined;
  try {
    format = (await sharp(input, { limitInputPixels: 50_000_000 }).metadata()).format;
  } catch {
    throw new PhotoRefused('is not an image this site can read (JPEG, PNG, WebP, HEIC, AVIF, TIFF or GIF)');
  }
  if (!format || !ACCEPTED.has(format)) throw new PhotoRefused('is not an image this site can read (JPEG, PNG, WebP, HEIC, AVIF, TIFF or GIF)');
  try {
    const { data, info } = await sharp(input, { limitInputPixels: 50_000_000, pages: 1 })
      .rotate()
      .resize({ width: MAX_SIDE, height: MAX_SIDE, fit: 'inside', withoutEnlargement: true })
      .flatten({ background: '#ffffff' })
      .jpeg({ quality: 82, mozjpeg: true })
      .toBuffer({ resolveWithObject: true });
    return { data, mime: 'image/jpeg', width: info.width, height: info.height };
  } catch {
    throw new PhotoRefused('could not be read as an image');
  }
}

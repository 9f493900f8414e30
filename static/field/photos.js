// Photos taken at a door visit: shrunk on the phone before they are queued (long side 1600 px, JPEG), so that
// a photo weighs ~0.3 MB in IndexedDB and on a weak signal, well under the server's limit (PHOTO_MAX_BYTES).
import { PHOTO_MAX_BYTES, shrunkSize } from "./queue.js";

function loadImage(file) {
  if (globalThis.createImageBitmap) {
    return createImageBitmap(file, { imageOrientation: "from-image" });
  }
  return new Promise((resolve, reject) => {
    const url = URL.createObjectURL(file);
    const image = new Image();
    image.onload = () => {
      URL.revokeObjectURL(url);
      resolve(image);
    };
    image.onerror = () => {
      URL.revokeObjectURL(url);
      reject(new Error("not an image"));
    };
    image.src = url;
  });
}

function toBlob(canvas, quality) {
  return new Promise((resolve) => canvas.toBlob(resolve, "image/jpeg", quality));
}

// A JPEG Blob of the photo, its long side at most 1600 px; null when the file is not an image the browser reads.
export async function shrinkPhoto(file) {
  let image;
  try {
    image = await loadImage(file);
  } catch {
    return null;
  }
  const { width, height } = shrunkSize(image.width, image.height);
  const canvas = document.createElement("canvas");
  canvas.width = width;
  canvas.height = height;
  const context = canvas.getContext("2d");
  context.fillStyle = "#fff"; // a transparent PNG becomes white, not black, as a JPEG
  context.fillRect(0, 0, width, height);
  context.drawImage(image, 0, 0, width, height);
  if (image.close) image.close();
  for (const quality of [0.8, 0.6, 0.4]) {
    const blob = await toBlob(canvas, quality);
    if (blob && blob.size <= PHOTO_MAX_BYTES) return blob;
  }
  return null;
}

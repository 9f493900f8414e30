// A signature drawn with a finger on a canvas (pointer events); toDataURL gives the PNG the pledge API takes.

export function signaturePad(canvas) {
  const context = canvas.getContext("2d");
  let drawing = false;
  let strokes = 0;
  let last = null;

  function resize() {
    const ratio = Math.max(globalThis.devicePixelRatio || 1, 1);
    const width = canvas.clientWidth || 340;
    const height = canvas.clientHeight || 180;
    canvas.width = Math.round(width * ratio);
    canvas.height = Math.round(height * ratio);
    context.setTransform(ratio, 0, 0, ratio, 0, 0);
    context.lineWidth = 2.5;
    context.lineCap = "round";
    context.lineJoin = "round";
    context.strokeStyle = "#000";
    strokes = 0;
  }

  function point(event) {
    const box = canvas.getBoundingClientRect();
    return { x: event.clientX - box.left, y: event.clientY - box.top };
  }

  canvas.addEventListener("pointerdown", (event) => {
    event.preventDefault();
    canvas.setPointerCapture?.(event.pointerId);
    drawing = true;
    last = point(event);
    context.beginPath();
    context.arc(last.x, last.y, 1, 0, Math.PI * 2);
    context.fill();
  });
  canvas.addEventListener("pointermove", (event) => {
    if (!drawing) return;
    event.preventDefault();
    const next = point(event);
    context.beginPath();
    context.moveTo(last.x, last.y);
    context.lineTo(next.x, next.y);
    context.stroke();
    last = next;
  });
  const end = () => {
    if (drawing) strokes += 1;
    drawing = false;
  };
  canvas.addEventListener("pointerup", end);
  canvas.addEventListener("pointercancel", end);
  canvas.addEventListener("pointerleave", end);

  return {
    resize,
    clear: resize,
    isEmpty: () => strokes === 0,
    toDataURL: () => canvas.toDataURL("image/png"),
  };
}

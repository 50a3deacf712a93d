/**
 * True when a key event comes from somewhere the user types text: inputs, textareas, selects and
 * contenteditable elements (or anything inside one). Canvas shortcuts (Delete/Backspace, undo,
 * redo) must never fire there, whatever modifier is held.
 */
export function isTypingTarget(target: EventTarget | null): boolean {
  if (!(target instanceof Element)) return false;
  if (target.closest("input, textarea, select, [contenteditable]:not([contenteditable='false']), .nokey")) return true;
  return target instanceof HTMLElement && target.isContentEditable;
}

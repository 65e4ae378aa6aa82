// Reordering the agenda: moves on the tree of items, flattened into the order the server takes.

function childrenMap(items) {
  const children = new Map();
  for (const item of items) {
    const key = item.parent_id ?? null;
    if (!children.has(key)) children.set(key, []);
    children.get(key).push(item.id);
  }
  return children;
}

function flatten(children, parent = null, out = []) {
  for (const id of children.get(parent) || []) {
    out.push({ id, parent_id: parent });
    flatten(children, id, out);
  }
  return out;
}

function parentOf(items, id) {
  return items.find((i) => i.id === id).parent_id ?? null;
}

function depthOf(items, id) {
  let depth = 0;
  for (let p = parentOf(items, id); p !== null; p = parentOf(items, p)) depth += 1;
  return depth;
}

function subtreeHeight(children, id) {
  const kids = children.get(id) || [];
  return kids.length ? 1 + Math.max(...kids.map((k) => subtreeHeight(children, k))) : 0;
}

function isInside(items, id, ancestor) {
  for (let p = id; p !== null; p = parentOf(items, p)) if (p === ancestor) return true;
  return false;
}

export const MAX_DEPTH = 3;

// Move an item (with its sub-items) one place up (-1) or down (+1) among its siblings.
export function moveAmongSiblings(items, id, step) {
  const children = childrenMap(items);
  const siblings = children.get(parentOf(items, id));
  const index = siblings.indexOf(id);
  const target = index + step;
  if (target < 0 || target >= siblings.length) return null;
  [siblings[index], siblings[target]] = [siblings[target], siblings[index]];
  return flatten(children);
}

// Make an item the last sub-item of the sibling above it.
export function indent(items, id) {
  const children = childrenMap(items);
  const parent = parentOf(items, id);
  const siblings = children.get(parent);
  const index = siblings.indexOf(id);
  if (index <= 0) return null;
  const newParent = siblings[index - 1];
  if (depthOf(items, newParent) + 1 + subtreeHeight(children, id) >= MAX_DEPTH) return null;
  siblings.splice(index, 1);
  if (!children.has(newParent)) children.set(newParent, []);
  children.get(newParent).push(id);
  return flatten(children);
}

// Lift an item to its parent's level, just after its parent.
export function outdent(items, id) {
  const children = childrenMap(items);
  const parent = parentOf(items, id);
  if (parent === null) return null;
  const grandparent = parentOf(items, parent);
  children.set(parent, children.get(parent).filter((x) => x !== id));
  const level = children.get(grandparent);
  level.splice(level.indexOf(parent) + 1, 0, id);
  return flatten(children);
}

function moveNextTo(items, id, targetId, offset) {
  if (id === targetId || isInside(items, targetId, id)) return null;
  const children = childrenMap(items);
  const newParent = parentOf(items, targetId);
  const depth = newParent === null ? 0 : depthOf(items, newParent) + 1;
  if (depth + subtreeHeight(children, id) >= MAX_DEPTH) return null;
  const oldParent = parentOf(items, id);
  children.set(oldParent, children.get(oldParent).filter((x) => x !== id));
  const level = children.get(newParent);
  level.splice(level.indexOf(targetId) + offset, 0, id);
  const order = flatten(children);
  return order.every((entry, i) => entry.id === items[i].id && entry.parent_id === (items[i].parent_id ?? null))
    ? null : order;
}

// Drop an item (with its sub-items) just before another, as its sibling.
export function moveBefore(items, id, targetId) {
  return moveNextTo(items, id, targetId, 0);
}

// Drop an item (with its sub-items) just after another and its sub-items, as its sibling.
export function moveAfter(items, id, targetId) {
  return moveNextTo(items, id, targetId, 1);
}

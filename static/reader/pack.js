// The briefing pack as the reader walks it (GET /api/meetings/{id}/pack, docs/reader-contract.md): every page of
// every document, in agenda order, as one sequence; and the addresses of a page's image and text. Pure functions:
// the reader, the offline copy and the service worker must build the very same URLs, or the cache misses.

// The server draws pages in these widths unless the pack says otherwise (ecabinet/page_images.py WIDTHS).
const WIDTHS = [200, 400, 800, 1200, 1600, 2400];

// The smallest width the server draws that is at least `px` wide (the largest when none is).
export function bucket(widths, px) {
  const sorted = [...(widths && widths.length ? widths : WIDTHS)].sort((a, b) => a - b);
  return sorted.find((w) => w >= px) ?? sorted[sorted.length - 1];
}

export function imageUrl(doc, page, width) {
  return `${doc.image_url.replace("{page}", page)}?width=${width}`;
}

export function thumbnailUrl(doc, page) {
  return imageUrl(doc, page, doc.thumbnail_width || WIDTHS[0]);
}

export function textUrl(doc, page) {
  return doc.text_url.replace("{page}", page);
}

// The documents in agenda order (the items' order, then each item's own), each once.
export function orderedDocuments(pack) {
  const byId = new Map(pack.documents.map((doc) => [doc.id, doc]));
  const ordered = [];
  for (const item of pack.items || []) {
    for (const id of item.documents || []) {
      const doc = byId.get(id);
      if (doc && !ordered.includes(doc)) ordered.push(doc);
    }
  }
  // A document whose item the pack does not list still belongs in the reader, at the end.
  for (const doc of pack.documents) if (!ordered.includes(doc)) ordered.push(doc);
  return ordered;
}

// {documents, pages: [{doc, page}], first: Map(document id → index of its page 1), item: Map(item id → item)}.
export function packPages(pack) {
  const documents = orderedDocuments(pack).filter((doc) => doc.pages > 0);
  const pages = [];
  const first = new Map();
  for (const doc of documents) {
    first.set(doc.id, pages.length);
    for (let page = 1; page <= doc.pages; page += 1) pages.push({ doc, page });
  }
  return { documents, pages, first, item: new Map((pack.items || []).map((item) => [item.id, item])) };
}

// The index in the sequence of a document's page, or null when the pack has no such page.
export function indexOf(walk, documentId, page) {
  const start = walk.first.get(documentId);
  if (start === undefined) return null;
  const doc = walk.pages[start].doc;
  return start + Math.min(Math.max(1, page || 1), doc.pages) - 1;
}

// What a tablet keeps for reading offline: each page of each document that may be cached (public, internal) at the
// reader's width, its thumbnail and its text. Restricted and secret pages never leave the server's answer.
export function offlinePages(pack, width) {
  const pages = [];
  for (const doc of orderedDocuments(pack)) {
    if (!doc.offline) continue;
    for (let page = 1; page <= doc.pages; page += 1) {
      pages.push({ documentId: doc.id,
        urls: [imageUrl(doc, page, width), thumbnailUrl(doc, page), textUrl(doc, page)] });
    }
  }
  return pages;
}

// The meeting state after an event: the browser's copy of the reducer in docs/protocol.md. The page holds
// the state it loaded (GET /api/meetings/{id}/state) and applies each event as it arrives.

export function applyEvent(state, event) {
  const { data } = event;
  switch (event.type) {
    case "meeting.updated":
    case "meeting.transitioned":
      // The viewer's own roles and rights are not in the event: they stay as loaded.
      Object.assign(state.meeting, data.meeting);
      break;
    case "item.created":
    case "item.updated":
    case "agenda.reordered":
      state.items = data.items;
      break;
    case "item.deleted": {
      state.items = data.items;
      // The papers of the removed items (and their sub-items) go with them.
      const gone = new Set(data.ids || [data.item.id]);
      state.documents = (state.documents || []).filter((d) => !gone.has(d.item_id));
      break;
    }
    case "document.added":
    case "document.updated": {
      // The meeting shows the current version of each published paper; any other version leaves the list.
      const doc = data.document;
      const others = (state.documents || []).filter((d) => d.id !== doc.id);
      state.documents = doc.current && doc.published ? sortDocuments([...others, doc]) : others;
      break;
    }
    case "document.removed":
      state.documents = (state.documents || []).filter((d) => d.id !== data.document.id);
      break;
    case "participant.added":
    case "participant.updated": {
      const at = state.participants.findIndex((p) => p.id === data.participant.id);
      if (at >= 0) state.participants[at] = data.participant;
      else state.participants.push(data.participant);
      state.quorum = data.quorum;
      break;
    }
    case "participant.removed":
      state.participants = state.participants.filter((p) => p.id !== data.participant.id);
      state.quorum = data.quorum;
      break;
    case "presenter.page":
      // The page the room follows (docs/reader-contract.md): the presenter's other fields stay.
      state.presenter = { ...(state.presenter || {}), ...data };
      break;
    case "presenter.updated":
      state.presenter = data.presenter;
      break;
    default:
      return false; // a type this page does not show
  }
  state.seq = event.seq;
  return true;
}

// The server's order (ecabinet/documents.py meeting_documents): by item, then paper, then version.
function sortDocuments(docs) {
  return docs.sort((a, b) => a.item_id - b.item_id || (a.series_id ?? a.id) - (b.series_id ?? b.id) || a.id - b.id);
}

// A document.progress message (volatile, never in the record): how far a listed document's processing is.
export function applyProgress(state, { document: doc, done, pages }) {
  const listed = doc && (state.documents || []).find((d) => d.id === doc.id);
  if (!listed || listed.state !== "processing") return false;
  listed.pages = pages;
  listed.pages_done = done;
  return true;
}

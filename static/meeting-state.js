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
    case "item.deleted":
    case "agenda.reordered":
      state.items = data.items;
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
    default:
      return false; // a type this page does not show
  }
  state.seq = event.seq;
  return true;
}

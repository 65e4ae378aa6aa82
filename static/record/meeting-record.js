// The meeting's record on its page: the conclusions under each agenda item (static/record/conclusions.js) and the
// minutes and invitation (static/record/records.js). Made once per visit to the page, kept up to date by the
// meeting channel's events, so that a conclusion being typed survives the page's redraws.

import { meetingConclusions } from "/static/record/conclusions.js";
import { meetingRecords } from "/static/record/records.js";

// `report(error)`, `toast(text, kind)`: app.js's. Returns {node, itemNode(item), update(state), hear(event),
// reload(), stop()}, the shape of static/votes/meeting-votes.js.
export function meetingRecord(meetingId, { report, toast }) {
  const conclusions = meetingConclusions(meetingId, { report });
  const records = meetingRecords(meetingId, { report, toast });
  return {
    node: records.node,
    itemNode: (item) => conclusions.itemNode(item),
    update(state) {
      conclusions.update(state);
      records.update(state);
    },
    // A meeting-channel event; true when it was about the record.
    hear: (event) => conclusions.hear(event) || records.hear(event),
    reload: () => Promise.all([conclusions.reload(), records.reload()]),
    stop() {
      conclusions.stop();
      records.stop();
    },
  };
}

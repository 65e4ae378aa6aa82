// The meeting's polls and pre-positions as the page holds them, and how each event changes them
// (docs/votes-contract.md). Pure: no DOM, no requests.

// {polls: [poll] newest first, positions: Map item_id → {item_id, agree, object, speak, mine},
//  consent: [item_id], members: [{user_id, name, item_id, position}]}
export function emptyVotes() {
  return { polls: [], positions: new Map(), consent: [], members: [] };
}

// GET /api/meetings/{id}/prepositions → the store's pre-positions.
export function loadPositions(votes, answer) {
  votes.positions = new Map((answer.items || []).map((row) => [row.item_id, row]));
  votes.consent = answer.consent_item_ids || [];
  votes.members = answer.members || [];
}

export function findPoll(votes, pollId) {
  return votes.polls.find((p) => p.id === pollId) || null;
}

// A poll as the server sent it, merged over the copy held: events leave out what is the viewer's own (my_vote)
// and the choices of an open named poll, which the chair's copy may have from reading the poll.
export function putPoll(votes, poll) {
  const old = findPoll(votes, poll.id);
  const merged = { ...poll };
  if (merged.my_vote === undefined || (merged.my_vote === null && old && old.my_vote)) {
    merged.my_vote = old ? old.my_vote : null;
  }
  if (old && old.voters && merged.voters && poll.ballot === "named") {
    const before = new Map(old.voters.map((v) => [v.user_id, v]));
    merged.voters = merged.voters.map((v) => {
      const was = before.get(v.user_id);
      return was && v.choice == null && was.choice != null ? { ...v, choice: was.choice } : v;
    });
  }
  if (!merged.voters && old) merged.voters = old.voters;
  const others = votes.polls.filter((p) => p.id !== poll.id);
  votes.polls = [merged, ...others].sort((a, b) => b.id - a.id);
  return merged;
}

// The answer to a ballot (own or recorded by the secretary), before its poll.cast event arrives.
export function putBallot(votes, pollId, answer, { mine, userId }) {
  const poll = findPoll(votes, pollId);
  if (!poll) return;
  if (mine) {
    poll.my_vote = { voted: true, receipt: answer.receipt, choice: answer.choice ?? null,
      by_secretary: Boolean(answer.by_secretary) };
  }
  if (poll.voters && userId !== undefined) {
    poll.voters = poll.voters.map((v) => (v.user_id === userId
      ? { ...v, voted: true, choice: answer.choice ?? v.choice ?? null, by_secretary: Boolean(answer.by_secretary) }
      : v));
  }
}

// Applies a meeting-channel event; returns true when it concerned votes.
export function applyVoteEvent(votes, event, me) {
  const { data } = event;
  switch (event.type) {
    case "poll.updated":
      putPoll(votes, data.poll);
      return true;
    case "poll.cast": {
      const poll = findPoll(votes, data.poll_id);
      if (!poll) return true;
      poll.cast = data.cast;
      poll.eligible = data.eligible;
      if (data.user_id !== undefined && data.user_id !== null) {
        if (poll.voters) {
          poll.voters = poll.voters.map((v) => (v.user_id === data.user_id ? { ...v, voted: true } : v));
        }
        // Voted from another device of one's own: this tablet no longer asks.
        if (data.user_id === me && !poll.my_vote) poll.my_vote = { voted: true, receipt: null, choice: null };
      }
      return true;
    }
    case "preposition.updated": {
      const old = votes.positions.get(data.item_id);
      votes.positions.set(data.item_id, { mine: old ? old.mine : null, ...data });
      return true;
    }
    default:
      return false;
  }
}

// The open live poll this viewer is asked to answer, if any (the newest first).
export function pollToAnswer(votes, mayVote) {
  return votes.polls.find((p) => p.mode === "live" && p.status === "open" && mayVote && !p.my_vote) || null;
}

// The text of a legal basis in the UI's language.
export function basisText(holder, language) {
  return language === "en" && holder.basis_en ? holder.basis_en : holder.basis;
}

// One session as the browser knows it: the server's snapshot, then its events in seq order (LiveSocket
// keeps the order), folded into one state object that every live page renders from. The events say what
// changed (a reorder's positions, the comments a merge moved), so nothing here re-derives a server rule.

/** A Map of items by their id. */
export function byId(items) {
  return new Map((items || []).map((item) => [item.id, item]));
}

export class SessionState {
  constructor() {
    this.listeners = [];
    this.state = {
      session: {},
      viewer: {},
      ended: false,
      rounds: new Map(),
      proposals: new Map(),
      comments: new Map(),
      myBallots: {}, // round id -> {ranking, receipt}: this participant's cast ballots
      mine: new Set(), // proposal ids written by this participant
      myComments: new Set(),
      facilitator: null, // the console's extra figures (counts, flags, slips, queue…), only in a facilitator's snapshot
      moreWaiting: new Map(), // people waiting beyond the snapshot's first page that the console shows (not reset by a snapshot)
      presence: null,
    };
  }

  /** listener(event): called after every snapshot (event null), every event and every presence update. */
  subscribe(listener) {
    this.listeners.push(listener);
  }

  emit(event) {
    for (const listener of this.listeners) listener(event);
  }

  /** The open round (none once the session has ended). */
  current() {
    if (this.state.ended) return null;
    for (const round of this.state.rounds.values()) if (round.state === "open") return round;
    return null;
  }

  /** Every round, in running order. */
  rounds() {
    return [...this.state.rounds.values()].sort((a, b) => a.position - b.position || a.id - b.id);
  }

  /** A snapshot (`state` or a sync's `snapshot`) replaces what was known. */
  sync(snapshot) {
    const s = this.state;
    s.session = snapshot.session || {};
    s.ended = s.session.status === "ended";
    s.viewer = snapshot.viewer || {};
    s.rounds = byId(snapshot.rounds);
    s.proposals = byId(snapshot.proposals);
    s.comments = byId(snapshot.comments);
    s.myBallots = snapshot.my_ballots || {};
    s.facilitator = snapshot.facilitator || null;
    for (const p of snapshot.proposals || []) if (p.mine) s.mine.add(p.id);
    for (const c of snapshot.comments || []) if (c.mine) s.myComments.add(c.id);
    this.emit(null);
  }

  setPresence(counts) {
    this.state.presence = counts;
    this.emit({ type: "presence", payload: counts });
  }

  /** One event, {type, seq, payload}, in order. */
  apply(event) {
    const { type, payload } = event;
    const s = this.state;
    const fac = s.facilitator;
    if (type.startsWith("round.")) {
      this.applyRound(type, payload);
    } else if (type.startsWith("proposal.")) {
      for (const key of ["proposal", "into", "from"]) if (payload[key]) this.putProposal(payload[key]);
      // The server says which comments moved: to the proposal kept on a merge, back to the duplicate on an undo.
      const to = { "proposal.merged": payload.into, "proposal.unmerged": payload.proposal }[type];
      if (to) {
        for (const id of payload.comments || []) {
          const comment = s.comments.get(id);
          if (comment) comment.proposal = to.id;
        }
      }
    } else if (type.startsWith("comment.") && payload.comment) {
      this.putComment(payload.comment);
    } else if (type === "session.ended") {
      s.ended = true;
    } else if (type === "session.eligibility_set") {
      Object.assign(s.session, {
        eligibility: payload.mode, uncarded_may_contribute: payload.uncarded_may_contribute, double_entry: payload.double_entry,
      });
    } else if (fac) {
      this.applyFacilitator(type, payload, fac);
    }
    this.emit(event);
  }

  applyRound(type, payload) {
    const rounds = this.state.rounds;
    if (type === "round.counted") {
      // On close, and again on a recount (maybe with another method) or when a slip is voided after closing.
      const round = rounds.get(payload.round);
      if (round) Object.assign(round, { result: payload.result }, payload.method ? { method: payload.method, seats: payload.seats } : {});
    } else if (type === "round.reordered") {
      for (const [id, position] of Object.entries(payload.positions || {})) {
        const round = rounds.get(Number(id));
        if (round) round.position = position;
      }
    } else if (payload.round && typeof payload.round === "object") {
      const old = rounds.get(payload.round.id) || {};
      rounds.set(payload.round.id, { ...old, ...payload.round, ...(payload.result ? { result: payload.result } : {}) });
    }
  }

  putProposal(p) {
    const s = this.state;
    const old = s.proposals.get(p.id);
    const fac = s.facilitator;
    if (fac && p.hidden) {
      // Keep the words (and author) of a proposal being hidden, so it can be judged for restoring.
      if (old && !old.hidden) fac.hidden_proposals[String(p.id)] = { title: old.title, body: old.body, language: old.language, author: old.author };
      fac.flags = fac.flags.filter((f) => f.proposal !== p.id);
    }
    s.proposals.set(p.id, { ...p, mine: s.mine.has(p.id) });
  }

  putComment(c) {
    const s = this.state;
    const old = s.comments.get(c.id);
    const fac = s.facilitator;
    if (fac && c.hidden) {
      if (old && !old.hidden) fac.hidden_comments[String(c.id)] = { body: old.body, language: old.language, author: old.author };
      fac.flags = fac.flags.filter((f) => f.comment !== c.id);
    }
    s.comments.set(c.id, { ...c, mine: s.myComments.has(c.id) });
  }

  applyFacilitator(type, payload, fac) {
    const queue = fac.admission_queue;
    switch (type) {
      case "participant.joined":
        fac.participants += 1;
        break;
      case "participant.admission_requested":
        if (queue && payload.participant) {
          if (queue.items.length < 50) queue.items = [...queue.items.filter((p) => p.id !== payload.participant.id), payload.participant];
          queue.total += 1;
        }
        break;
      case "participant.admitted":
      case "participant.refused":
        if (queue) {
          const before = queue.items.length;
          queue.items = queue.items.filter((p) => p.id !== payload.participant);
          if (queue.items.length < before || this.state.moreWaiting.has(payload.participant)) queue.total -= 1;
        }
        this.state.moreWaiting.delete(payload.participant);
        break;
      case "ballot.cast":
      case "ballot.paper_entered":
      case "ballot.paper_voided":
        fac.ballots[String(payload.round)] = payload.ballots;
        if (payload.slip) fac.paper_slips = [...(fac.paper_slips || []).filter((s) => s.id !== payload.slip.id), payload.slip];
        break;
      case "flag.submitted":
        fac.flags = [...fac.flags.filter((f) => f.id !== payload.flag.id), payload.flag];
        break;
      case "flag.resolved":
        fac.flags = fac.flags.filter((f) => f.id !== payload.flag);
        break;
      default:
    }
  }
}

"""The live deliberation module: sessions, rounds, contributions, ballots and the event log."""

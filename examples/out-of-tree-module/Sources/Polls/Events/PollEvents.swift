/// `poll.tally {poll}`: the counts after a vote, on `poll:<id>`.
struct PollTallied: Encodable, Sendable {
    static let type = "poll.tally"
    var poll: PollView
}

/// `poll.closed {poll}`: voting ended, on `poll:<id>`.
struct PollClosed: Encodable, Sendable {
    static let type = "poll.closed"
    var poll: PollView
}

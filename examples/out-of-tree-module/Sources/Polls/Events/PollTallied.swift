import HubKernel

/// `poll.tally {poll}`: the counts after a vote, on `poll:<id>`.
struct PollTallied: HubEvent {
    typealias Module = PollModule
    static let name = "tally"
    var poll: PollView
}

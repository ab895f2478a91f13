import HubKernel

/// `poll.closed {poll}`: voting ended, on `poll:<id>`.
struct PollClosed: HubEvent {
    typealias Module = PollModule
    static let name = "closed"
    var poll: PollView
}

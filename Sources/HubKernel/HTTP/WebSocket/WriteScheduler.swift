import NIOCore
import Synchronization

/// Gathers the socket writers woken on one event loop into a single loop task.
///
/// A publish to N subscribers wakes up to N writers from whatever thread published; without
/// this, each wake-up would be its own cross-thread task submission. Here the first wake-up
/// of a round submits one task and the others only join its list.
final class WriteScheduler: Sendable {
    private struct Round {
        var writers: [SocketWriter] = []
        var scheduled = false
    }

    private let eventLoop: any EventLoop
    private let round = Mutex(Round())

    private init(eventLoop: any EventLoop) {
        self.eventLoop = eventLoop
    }

    private static let byLoop = PerEventLoop { WriteScheduler(eventLoop: $0) }

    /// The scheduler of `eventLoop`.
    static func `for`(_ eventLoop: any EventLoop) -> WriteScheduler { byLoop(eventLoop) }

    func wake(_ writer: SocketWriter) {
        let submit = round.withLock { round -> Bool in
            round.writers.append(writer)
            if round.scheduled { return false }
            round.scheduled = true
            return true
        }
        if submit { eventLoop.execute { self.runRound() } }
    }

    private func runRound() {
        let writers = round.withLock { round -> [SocketWriter] in
            round.scheduled = false
            var taken: [SocketWriter] = []
            swap(&taken, &round.writers)
            return taken
        }
        for writer in writers { writer.writeQueued() }
    }
}

import NIOCore
import Synchronization

/// A reply held until the commits it depends on are flushed.
struct HeldReply: Sendable {
    var target: UInt64
    var deliveries: [@Sendable () -> Void]
    var frame: ByteBuffer?
    /// The command's id, for the `unavailable` that replaces the reply if the flush fails.
    var id: CommandID?
    var done: @Sendable () -> Void
}

extension Connection {
    /// Sends a command's held events and then its reply, in command order, each only once
    /// the commit it waits for (``PendingDurability``) is flushed.
    ///
    /// When nothing is held and the commit is already on disk, it sends at once; otherwise the
    /// reply joins the connection's queue, which the flushing thread drains right after the
    /// flush that covers its head (no task per reply). A failed flush turns the reply into
    /// `unavailable` and drops its events: their state's durability is unknown.
    /// - Parameter done: called once the reply is sent (the pipeline's in-flight count).
    func release(_ frame: ByteBuffer?, re id: CommandID?, after pending: (target: UInt64, deliveries: [@Sendable () -> Void]),
                 database: Database, done: @escaping @Sendable () -> Void) {
        let held = HeldReply(target: pending.target, deliveries: pending.deliveries, frame: frame, id: id, done: done)
        let startDraining = state.withLock { state -> Bool? in
            if state.heldReplies.isEmpty && !state.releasing && database.isDurable(held.target) { return nil }
            state.heldReplies.append(held)
            if state.releasing { return false }
            state.releasing = true
            return true
        }
        switch startDraining {
        case nil: send(held, failure: nil)
        case true?: database.whenDurable(held.target) { failure in self.releaseHeldReplies(database: database, failure: failure) }
        case false?: break
        }
    }

    /// Returns once every reply held so far was sent (a command that publishes now waits for
    /// the earlier commands' events and replies to leave first).
    func earlierRepliesReleased() async {
        await withCheckedContinuation { (continuation: CheckedContinuation<Void, Never>) in
            let released = state.withLock { state -> Bool in
                if state.heldReplies.isEmpty && !state.releasing { return true }
                state.releaseWaiters.append(continuation)
                return false
            }
            if released { continuation.resume() }
        }
    }

    /// Sends the held replies whose commits are on disk, in order; waits again for the next
    /// one's flush if it is not. `failure`: the flush just waited for failed (the head's reply
    /// becomes `unavailable`). Only one release runs per connection (``Connection/State/releasing``).
    private func releaseHeldReplies(database: Database, failure: (any Error)?) {
        var failure = failure
        while true {
            enum Next { case send(HeldReply), wait(UInt64), done }
            var waiters: [CheckedContinuation<Void, Never>] = []
            let next = state.withLock { state -> Next in
                guard let head = state.heldReplies.first else {
                    state.releasing = false
                    swap(&waiters, &state.releaseWaiters)
                    return .done
                }
                if failure == nil && !database.isDurable(head.target) { return .wait(head.target) }
                return .send(state.heldReplies.removeFirst())
            }
            switch next {
            case .send(let held):
                send(held, failure: failure)
                failure = nil
            case .wait(let target):
                database.whenDurable(target) { failure in self.releaseHeldReplies(database: database, failure: failure) }
                return
            case .done:
                for waiter in waiters { waiter.resume() }
                return
            }
        }
    }

    private func send(_ held: HeldReply, failure: (any Error)?) {
        if failure == nil {
            for delivery in held.deliveries { delivery() }
        }
        if let frame = held.frame {
            if failure != nil {
                send(OutboundFrame.error(.unavailable("the write could not be confirmed on disk; retry"), re: held.id))
            } else {
                send(frame)
            }
        }
        held.done()
    }
}

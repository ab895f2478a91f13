import Synchronization

/// The frames a test client received and nobody has claimed yet, in arrival order.
final class Inbox: Sendable {
    private struct State {
        var frames: [TestFrame] = []
        var closeCode: UInt16?
        var closed = false
    }
    private let state = Mutex(State())

    func push(_ text: String) { state.withLock { $0.frames.append(TestFrame(text: text)) } }

    func close(code: UInt16?) {
        state.withLock { state in
            state.closed = true
            if state.closeCode == nil { state.closeCode = code }
        }
    }

    var closeCode: UInt16? { state.withLock { $0.closeCode } }
    var isClosed: Bool { state.withLock { $0.closed } }
    var unclaimed: [TestFrame] { state.withLock { $0.frames } }

    /// Removes and returns every unclaimed frame.
    func drain() -> [TestFrame] { state.withLock { state in defer { state.frames = [] }; return state.frames } }

    /// Removes and returns the first frame matching `predicate`, waiting up to `timeout`.
    func take(_ description: String, timeout: Duration, where predicate: (TestFrame) -> Bool) async throws -> TestFrame {
        let deadline = ContinuousClock.now + timeout
        while true {
            let found = state.withLock { state -> TestFrame? in
                guard let index = state.frames.firstIndex(where: predicate) else { return nil }
                return state.frames.remove(at: index)
            }
            if let found { return found }
            // a closed connection receives nothing more: fail at once rather than at the deadline
            if ContinuousClock.now >= deadline || isClosed {
                throw TestTimeout(waitingFor: description,
                                  received: unclaimed.map(\.text) + (isClosed ? ["<closed \(closeCode.map(String.init) ?? "-")>"] : []))
            }
            try await Task.sleep(for: .milliseconds(2))
        }
    }

    /// Waits until the connection is closed; returns its close code.
    func waitForClose(timeout: Duration) async throws -> UInt16? {
        let deadline = ContinuousClock.now + timeout
        while !isClosed {
            guard ContinuousClock.now < deadline else {
                throw TestTimeout(waitingFor: "the connection to close", received: unclaimed.map(\.text))
            }
            try await Task.sleep(for: .milliseconds(5))
        }
        return closeCode
    }
}

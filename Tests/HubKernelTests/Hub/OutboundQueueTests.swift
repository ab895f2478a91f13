import NIOCore
import Synchronization
import Testing
@testable import HubKernel

@Suite("Outbound queue")
struct OutboundQueueTests {
    @Test("frames come out in order, in batches") func order() async {
        let queue = OutboundQueue(maxFrames: 10, maxBytes: 1000)
        for n in 0..<3 { queue.enqueue(ByteBuffer(string: "\(n)")) }
        guard case .frames(let frames) = await queue.next() else { Issue.record("expected frames"); return }
        #expect(frames.map { String(buffer: $0) } == ["0", "1", "2"])
    }

    @Test("overflow drops the queue and asks for a 4008 close") func overflow() async {
        let queue = OutboundQueue(maxFrames: 2, maxBytes: 1000)
        #expect(queue.enqueue(ByteBuffer(string: "a")))
        #expect(queue.enqueue(ByteBuffer(string: "b")))
        #expect(!queue.enqueue(ByteBuffer(string: "c")))
        #expect(queue.overflowed)
        guard case .close(let code, _) = await queue.next() else { Issue.record("expected close"); return }
        #expect(code == .slowConsumer)
        #expect(!queue.enqueue(ByteBuffer(string: "d")))
    }

    @Test("the byte bound counts too") func bytes() {
        let queue = OutboundQueue(maxFrames: 100, maxBytes: 10)
        #expect(queue.enqueue(ByteBuffer(string: "12345")))
        #expect(!queue.enqueue(ByteBuffer(string: "1234567")))
        #expect(queue.overflowed)
    }

    @Test("a requested close comes after the frames already queued") func closeAfterDrain() async {
        let queue = OutboundQueue()
        queue.enqueue(ByteBuffer(string: "last words"))
        queue.close(.policyViolation, reason: "bye")
        guard case .frames = await queue.next() else { Issue.record("expected frames first"); return }
        guard case .close(let code, _) = await queue.next() else { Issue.record("expected close"); return }
        #expect(code == .policyViolation)
    }

    @Test("a waiting writer is woken by a frame and by finish") func wake() async {
        let queue = OutboundQueue()
        async let next = queue.next()
        try? await Task.sleep(for: .milliseconds(20))
        queue.enqueue(ByteBuffer(string: "x"))
        guard case .frames = await next else { Issue.record("expected frames"); return }
        async let end = queue.next()
        try? await Task.sleep(for: .milliseconds(20))
        queue.finish()
        guard case .finished = await end else { Issue.record("expected finished"); return }
    }

    // MARK: the socket writer's mode (attachWriter + drain)

    @Test("a socket writer is woken once per batch, not per frame") func wakeOncePerBatch() {
        let queue = OutboundQueue()
        let wakes = Counter()
        queue.attachWriter { wakes.add() }
        for n in 0..<5 { queue.enqueue(ByteBuffer(string: "\(n)")) }
        #expect(wakes.value == 1)
        guard case .frames(let frames) = queue.drain() else { Issue.record("expected frames"); return }
        #expect(frames.map { String(buffer: $0) } == ["0", "1", "2", "3", "4"])
        guard case .empty = queue.drain() else { Issue.record("expected empty"); return }
        queue.enqueue(ByteBuffer(string: "again"))
        #expect(wakes.value == 2)
    }

    @Test("attaching to a queue that already holds frames wakes the writer at once") func attachWithBacklog() {
        let queue = OutboundQueue()
        queue.enqueue(ByteBuffer(string: "welcome"))
        let wakes = Counter()
        queue.attachWriter { wakes.add() }
        #expect(wakes.value == 1)
        guard case .frames(let frames) = queue.drain() else { Issue.record("expected frames"); return }
        #expect(frames.count == 1)
    }

    @Test("the writer sees a close only after the frames queued before it") func drainCloseOrder() {
        let queue = OutboundQueue()
        let wakes = Counter()
        queue.attachWriter { wakes.add() }
        queue.enqueue(ByteBuffer(string: "last words"))
        queue.close(.policyViolation, reason: "bye")
        #expect(wakes.value == 1)
        guard case .frames = queue.drain() else { Issue.record("expected frames first"); return }
        guard case .close(let code, let reason) = queue.drain() else { Issue.record("expected close"); return }
        #expect(code == .policyViolation)
        #expect(reason == "bye")
        #expect(!queue.enqueue(ByteBuffer(string: "too late")))
    }

    @Test("a slow consumer overflows the writer's queue too") func drainOverflow() {
        let queue = OutboundQueue(maxFrames: 2, maxBytes: 1000)
        let wakes = Counter()
        queue.attachWriter { wakes.add() }
        #expect(queue.enqueue(ByteBuffer(string: "a")))
        #expect(queue.enqueue(ByteBuffer(string: "b")))
        #expect(!queue.enqueue(ByteBuffer(string: "c")))
        guard case .close(let code, _) = queue.drain() else { Issue.record("expected close"); return }
        #expect(code == .slowConsumer)
    }

    @Test("finish wakes the writer, which sees the end; a detached writer is not woken") func drainFinish() {
        let queue = OutboundQueue()
        let wakes = Counter()
        queue.attachWriter { wakes.add() }
        queue.finish()
        #expect(wakes.value == 1)
        guard case .finished = queue.drain() else { Issue.record("expected finished"); return }
        let other = OutboundQueue()
        other.attachWriter { wakes.add() }
        other.detachWriter()
        other.enqueue(ByteBuffer(string: "x"))
        #expect(wakes.value == 1)
    }
}

/// Counts wake-ups from any thread.
private final class Counter: Sendable {
    private let count = Mutex(0)
    func add() { count.withLock { $0 += 1 } }
    var value: Int { count.withLock { $0 } }
}

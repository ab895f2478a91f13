import NIOCore
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
}

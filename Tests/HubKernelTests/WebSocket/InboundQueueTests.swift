import NIOCore
import NIOEmbedded
import HubTesting
import Synchronization
import Testing
@testable import HubKernel

@Suite("The inbound queue: every message in order, the end once after them, and backpressure")
struct InboundQueueTests {
    /// Counts the `read` requests that get past the queue toward the socket.
    final class ReadCounter: ChannelOutboundHandler, Sendable {
        typealias OutboundIn = Never
        let reads = Atomic(0)
        func read(context: ChannelHandlerContext) {
            reads.add(1, ordering: .relaxed)
            context.read()
        }
    }

    /// Records what it is handed; with `gated`, each message waits for a permit.
    final class Recorder: InboundConsumer {
        let seen = Mutex<[String]>([])
        let ends = Atomic(0)
        /// Set when `ended` ran: how many messages had been consumed by then.
        let seenAtEnd = Atomic(-1)
        let permits: Atomic<Int>
        let busy = Atomic(0)
        let mostBusy = Atomic(0)

        init(gated: Bool = false) { permits = Atomic(gated ? 0 : Int.max) }

        func consume(_ message: InboundMessage) async {
            let now = busy.add(1, ordering: .relaxed).newValue
            _ = mostBusy.max(now, ordering: .relaxed)
            while seen.withLock({ $0.count }) >= permits.load(ordering: .relaxed) {
                try? await Task.sleep(for: .milliseconds(2))
            }
            guard case .text(let text) = message else { return }
            seen.withLock { $0.append(text) }
            busy.subtract(1, ordering: .relaxed)
        }

        func ended() async {
            seenAtEnd.store(seen.withLock { $0.count }, ordering: .relaxed)
            ends.add(1, ordering: .relaxed)
        }

        var texts: [String] { seen.withLock { $0 } }
    }

    func channel() async throws -> (NIOAsyncTestingChannel, InboundQueue, ReadCounter) {
        let channel = NIOAsyncTestingChannel()
        let queue = InboundQueue(eventLoop: channel.eventLoop)
        let counter = ReadCounter()
        try await channel.pipeline.addHandler(counter)
        try await channel.pipeline.addHandler(queue)
        try await channel.connect(to: .init(ipAddress: "127.0.0.1", port: 9)).get()
        return (channel, queue, counter)
    }

    @Test("messages that arrive before the start wait for it; then all of them, in order, and the end once, after them")
    func order() async throws {
        let (channel, queue, _) = try await channel()
        for n in 1...3 { try await channel.writeInbound(InboundMessage.text("\(n)")) }
        let recorder = Recorder()
        try await Task.sleep(for: .milliseconds(50))
        #expect(recorder.texts.isEmpty)
        queue.start(recorder)
        #expect(try await eventually { recorder.texts == ["1", "2", "3"] })
        for n in 4...40 { try await channel.writeInbound(InboundMessage.text("\(n)")) }
        try await channel.close()
        #expect(try await eventually { recorder.ends.load(ordering: .relaxed) == 1 })
        #expect(recorder.texts == (1...40).map(String.init))
        #expect(recorder.seenAtEnd.load(ordering: .relaxed) == 40, "the end was reported before every message was consumed")
        #expect(recorder.mostBusy.load(ordering: .relaxed) == 1, "two messages were handled at once")
        try await Task.sleep(for: .milliseconds(50))
        #expect(recorder.ends.load(ordering: .relaxed) == 1)
    }

    @Test("a socket that ends before the start is reported once the waiting messages are consumed")
    func endBeforeStart() async throws {
        let (channel, queue, _) = try await channel()
        try await channel.writeInbound(InboundMessage.text("last words"))
        try await channel.close()
        let recorder = Recorder()
        queue.start(recorder)
        #expect(try await eventually { recorder.ends.load(ordering: .relaxed) == 1 })
        #expect(recorder.texts == ["last words"])
        #expect(recorder.seenAtEnd.load(ordering: .relaxed) == 1)
    }

    @Test("a failed socket ends the connection like a close: the end is reported and the channel closed")
    func failure() async throws {
        let (channel, queue, _) = try await channel()
        let recorder = Recorder()
        queue.start(recorder)
        try await channel.writeInbound(InboundMessage.text("1"))
        channel.pipeline.fireErrorCaught(ChannelError.ioOnClosedChannel)
        #expect(try await eventually { recorder.ends.load(ordering: .relaxed) == 1 })
        #expect(recorder.texts == ["1"])
        #expect(try await eventually { !channel.isActive })
    }

    @Test("with highWater messages waiting, reading stops; it resumes once the consumer is down to lowWater")
    func backpressure() async throws {
        let (channel, queue, counter) = try await channel()
        let recorder = Recorder(gated: true)
        queue.start(recorder)
        channel.read()
        #expect(try await eventually { counter.reads.load(ordering: .relaxed) == 1 }, "a read with nothing waiting is passed on")
        let total = InboundQueue.highWater + 4
        for n in 1...total { try await channel.writeInbound(InboundMessage.text("\(n)")) }
        channel.read()
        try await Task.sleep(for: .milliseconds(50))
        #expect(counter.reads.load(ordering: .relaxed) == 1, "reading went on with \(total) messages waiting")
        // let the consumer take messages until just above lowWater wait: still held
        let stillHeld = total - InboundQueue.lowWater - 2
        recorder.permits.store(stillHeld, ordering: .relaxed)
        #expect(try await eventually { recorder.texts.count == stillHeld })
        try await Task.sleep(for: .milliseconds(50))
        #expect(counter.reads.load(ordering: .relaxed) == 1, "reading resumed above lowWater")
        recorder.permits.store(Int.max, ordering: .relaxed)
        #expect(try await eventually { counter.reads.load(ordering: .relaxed) == 2 }, "the held read was never passed on")
        #expect(try await eventually { recorder.texts == (1...total).map(String.init) })
        channel.read()
        #expect(try await eventually { counter.reads.load(ordering: .relaxed) == 3 })
        try await channel.close()
    }
}

import Foundation
import Histogram

/// What one run measured, printed as a table and written as JSON: the figures
/// `docs/benchmarks.md` quotes, with the parameters that produced them.
struct Report: Codable, Sendable {
    /// Latency percentiles in milliseconds.
    struct Percentiles: Codable, Sendable {
        var count: UInt64
        var p50: Double
        var p95: Double
        var p99: Double
        var max: Double

        init?(_ histogram: Histogram<UInt64>) {
            guard histogram.totalCount > 0 else { return nil }
            func ms(_ ns: UInt64) -> Double { (Double(ns) / 1e4).rounded() / 100 }
            count = histogram.totalCount
            p50 = ms(histogram.valueAtPercentile(50))
            p95 = ms(histogram.valueAtPercentile(95))
            p99 = ms(histogram.valueAtPercentile(99))
            max = ms(histogram.max)
        }
    }

    var tool = "switchboard-load"
    var target: String
    var workload: String
    var parameters: [String: String]
    var sent: Int?
    var expected: Int?
    var delivered: Int?
    var lost: Int?
    var lossPercent: Double?
    var deliveredPerSecond: Double?
    var offeredPerSecond: Double?
    var latencyMs: Percentiles?
    var acknowledged: Int?
    var ackLatencyMs: Percentiles?
    var errors: [String: Int] = [:]
    var events: [String: Int]?
    var notReady: Int?
    var closedDuringRun: Int?
    var sendSeconds: Double?
    var wallSeconds: Double?
    var serverCPUPercent: Double?
    var serverMicrosPerDelivery: Double?
    var clientCPUPercent: Double?
    var clientMicrosPerDelivery: Double?
    /// Deliveries per second this tool could receive on one core at its measured cost.
    var clientCeilingPerSecond: Double?
    var otherCPUPercent: Double?
    var opened: Int?
    var connectFailures: Int?
    var connectFailureSamples: [String]?
    var connectSeconds: Double?
    var connectsPerSecond: Double?
    var tokensPerSecond: Double?
    var rssBeforeKiB: Int?
    var rssAfterKiB: Int?
    var rssKiBPerConnection: Double?
    /// This tool's own RSS per connection (plain NIO channels, no tasks): a floor for comparison.
    var clientRSSKiBPerConnection: Double?
    var notes: [String] = []

    init(target: Target, workload: String, parameters: [String: String]) {
        self.target = target.kind.rawValue
        self.workload = workload
        self.parameters = parameters
    }

    /// The connection columns: how many opened, how many failed and a few of the reasons.
    mutating func record(_ batch: LoadRun.Opened) {
        opened = batch.opened
        connectFailures = batch.failures.count
        if !batch.failures.isEmpty { connectFailureSamples = Array(batch.failures.prefix(5)) }
    }

    /// Fills the CPU columns from two samples around the measured window.
    mutating func cost(from start: ProcessProbe.Sample, to end: ProcessProbe.Sample, deliveries: Int) {
        let wall = Double(end.wall - start.wall) / 1e9
        guard wall > 0 else { return }
        wallSeconds = round2(wall)
        let client = end.clientCPU - start.clientCPU
        clientCPUPercent = round2(client / wall * 100)
        var server = 0.0
        if let s0 = start.serverCPU, let s1 = end.serverCPU {
            server = s1 - s0
            serverCPUPercent = round2(server / wall * 100)
            if deliveries > 0 { serverMicrosPerDelivery = round2(server / Double(deliveries) * 1e6) }
        }
        if deliveries > 0 {
            let perDelivery = client / Double(deliveries)
            clientMicrosPerDelivery = round2(perDelivery * 1e6)
            if perDelivery > 0 { clientCeilingPerSecond = (1 / perDelivery).rounded() }
        }
        let busy = end.machineBusy - start.machineBusy
        otherCPUPercent = round2(max(0, busy - client - server) / wall * 100)
    }

    func json() throws -> String {
        let encoder = JSONEncoder()
        encoder.outputFormatting = [.prettyPrinted, .sortedKeys]
        return String(decoding: try encoder.encode(self), as: UTF8.self)
    }

    /// Two columns, figures only where this workload produced them.
    func table() -> String {
        var rows: [(String, String)] = [("target", target), ("workload", workload)]
        rows += parameters.sorted { $0.key < $1.key }.map { ("  \($0.key)", $0.value) }
        func add(_ label: String, _ value: (any CustomStringConvertible)?) {
            if let value { rows.append((label, value.description)) }
        }
        add("opened", opened)
        add("connect failures", connectFailures)
        add("connects/s", connectsPerSecond)
        add("tokens/s (set-up)", tokensPerSecond)
        add("RSS before KiB", rssBeforeKiB)
        add("RSS after KiB", rssAfterKiB)
        add("RSS KiB per connection", rssKiBPerConnection)
        add("client RSS KiB per connection", clientRSSKiBPerConnection)
        add("not ready", notReady)
        add("sent", sent)
        add("acknowledged", acknowledged)
        add("expected deliveries", expected)
        add("delivered", delivered)
        add("lost", lost)
        add("loss %", lossPercent)
        add("offered deliveries/s", offeredPerSecond)
        add("delivered/s", deliveredPerSecond)
        if let latencyMs {
            rows.append(("latency ms p50/p95/p99/max", "\(latencyMs.p50) / \(latencyMs.p95) / \(latencyMs.p99) / \(latencyMs.max)"))
        }
        if let ackLatencyMs {
            rows.append(("ack ms p50/p95/p99/max", "\(ackLatencyMs.p50) / \(ackLatencyMs.p95) / \(ackLatencyMs.p99) / \(ackLatencyMs.max)"))
        }
        add("send seconds", sendSeconds)
        add("wall seconds", wallSeconds)
        add("server CPU %", serverCPUPercent)
        add("server µs/delivery", serverMicrosPerDelivery)
        add("client CPU %", clientCPUPercent)
        add("client µs/delivery", clientMicrosPerDelivery)
        add("client ceiling deliveries/s (1 core)", clientCeilingPerSecond)
        add("other CPU %", otherCPUPercent)
        add("closed during run", closedDuringRun)
        if !errors.isEmpty { rows.append(("errors", errors.sorted { $0.key < $1.key }.map { "\($0.key)=\($0.value)" }.joined(separator: " "))) }
        if let events, !events.isEmpty {
            rows.append(("events", events.sorted { $0.key < $1.key }.map { "\($0.key)=\($0.value)" }.joined(separator: " ")))
        }
        for note in notes { rows.append(("note", note)) }
        let width = rows.map(\.0.count).max() ?? 0
        return rows.map { $0.0.padding(toLength: width, withPad: " ", startingAt: 0) + "  " + $0.1 }.joined(separator: "\n")
    }
}

func round2(_ value: Double) -> Double { (value * 100).rounded() / 100 }

import Testing
@testable import HubKernel

/// The token bucket's promises on generated limits and request times (seeded, reproducible).
@Suite("Token bucket properties")
struct TokenBucketPropertyTests {
    @Test("never more than burst + rate × time pass; a refusal's wait is honest; the clock going back adds nothing",
          arguments: [UInt64(7), 8, 9, 10, 11])
    func properties(seed: UInt64) {
        var random = SeededGenerator(seed: seed)
        for _ in 0..<300 {
            let count = Int.random(in: 1...120, using: &random)
            let periodMs = random.pick([100, 1000, 60_000, 3_600_000])
            let burst = Int.random(in: 1...50, using: &random)
            let limit = RateLimit(count, per: .milliseconds(periodMs), burst: burst)
            let start = Int64.random(in: 0...1_000_000_000, using: &random)
            var bucket = TokenBucket(limit: limit, nowMs: start)
            var now = start
            var passed = 0
            var latest = start
            for _ in 0..<Int.random(in: 1...200, using: &random) {
                // mostly forward, sometimes a burst at one instant, sometimes backwards (clock skew)
                switch Int.random(in: 0..<10, using: &random) {
                case 0: now -= Int64.random(in: 1...500, using: &random)
                case 1...3: break
                default: now += Int64.random(in: 0...Int64(periodMs / max(1, count) * 2), using: &random)
                }
                latest = max(latest, now)
                if let wait = bucket.take(limit: limit, nowMs: now) {
                    #expect(wait >= 1)
                    // waiting exactly as long as told is enough (nothing else takes in between)
                    var probe = bucket
                    #expect(probe.take(limit: limit, nowMs: max(now, latest) + Int64(wait)) == nil,
                            "seed \(seed): \(count)/\(periodMs)ms burst \(burst): told to wait \(wait) ms, still refused")
                } else {
                    passed += 1
                }
                let allowance = Double(burst) + Double(latest - start) * Double(count) / Double(periodMs)
                #expect(Double(passed) <= allowance + 1e-6,
                        "seed \(seed): \(passed) passed within \(latest - start) ms of \(count)/\(periodMs)ms burst \(burst)")
            }
        }
    }

    @Test("a full bucket passes exactly burst requests at one instant", arguments: [1, 2, 5, 20, 100])
    func burst(_ burst: Int) {
        let limit = RateLimit(1, per: .seconds(60), burst: burst)
        var bucket = TokenBucket(limit: limit, nowMs: 42)
        for _ in 0..<burst { #expect(bucket.take(limit: limit, nowMs: 42) == nil) }
        #expect(bucket.take(limit: limit, nowMs: 42) == 60_000)
    }
}

import Testing
@testable import HubKernel

@Suite("Rate limits")
struct RateLimitTests {
    @Test("the override syntax parses count, period and burst") func parse() throws {
        let limit = try #require(RateLimit.parse("10/60s:5", scope: .user))
        #expect(limit.count == 10)
        #expect(limit.periodMs == 60_000)
        #expect(limit.burst == 5)
        #expect(limit.scope == .user)
        #expect(RateLimit.parse("100000/1s", scope: .ip)?.burst == 100_000)
        #expect(RateLimit.parse("3/500ms", scope: .ip)?.periodMs == 500)
        #expect(RateLimit.parse("1/2m", scope: .ip)?.periodMs == 120_000)
        #expect(RateLimit.parse("off", scope: .connection)?.isOff == true)
    }

    @Test("malformed overrides are refused", arguments: ["", "10", "10/", "/1s", "0/1s", "10/1x", "10/1s:0", "ten/1s", "10/-1s"])
    func malformed(_ text: String) {
        #expect(RateLimit.parse(text, scope: .user) == nil)
    }

    @Test("10 per minute, burst 5: five pass, the sixth waits until one token is back") func bucket() {
        let limit = RateLimit(10, per: .seconds(60), burst: 5)
        var bucket = TokenBucket(limit: limit, nowMs: 0)
        for _ in 0..<5 { #expect(bucket.take(limit: limit, nowMs: 0) == nil) }
        #expect(bucket.take(limit: limit, nowMs: 0) == 6000)
        #expect(bucket.take(limit: limit, nowMs: 5999) == 1)
        #expect(bucket.take(limit: limit, nowMs: 6000) == nil)
    }

    @Test("refill never exceeds the burst") func capped() {
        let limit = RateLimit(10, per: .seconds(1), burst: 2)
        var bucket = TokenBucket(limit: limit, nowMs: 0)
        _ = bucket.take(limit: limit, nowMs: 0)
        for _ in 0..<2 { #expect(bucket.take(limit: limit, nowMs: 1_000_000) == nil) }
        #expect(bucket.take(limit: limit, nowMs: 1_000_000) != nil)
    }

    @Test("without a burst, the burst equals the count") func defaultBurst() {
        #expect(RateLimit(7, per: .seconds(1)).burst == 7)
    }

    @Test("the memory limiter keeps separate buckets per key and forgets full ones") func limiter() {
        let limiter = MemoryRateLimiter(sweepEvery: 4)
        let limit = RateLimit(1, per: .seconds(1))
        #expect(limiter.acquire("a", limit: limit, nowMs: 0) == nil)
        #expect(limiter.acquire("a", limit: limit, nowMs: 0) == 1000)
        #expect(limiter.acquire("b", limit: limit, nowMs: 0) == nil)
        #expect(limiter.acquire("c", limit: limit, nowMs: 10_000) == nil)
        #expect(limiter.bucketCount == 1)
        #expect(limiter.acquire("x", limit: .off(), nowMs: 0) == nil)
    }
}

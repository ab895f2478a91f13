import Testing
import HubTesting
@testable import HubKernel

@Suite("Token expiry on open connections")
struct TokenExpiryTests {
    @Test("hub.token_expiring 60 s before expiry, then close 4001") func expiry() async throws {
        let clock = TestClock()
        try await TestHub.run(modules: [ProbeModule.self], clock: clock) { testHub in
            let client = try await testHub.client()
            clock.advance(by: .seconds(900 - 61))
            testHub.hub.superviseTokens()
            try await client.expectNoEvent("hub.token_expiring")
            clock.advance(by: .seconds(2))
            testHub.hub.superviseTokens()
            let warning = try await client.expectEvent("hub.token_expiring")
            #expect(warning.data["expiresInMs"] == 59_000)
            testHub.hub.superviseTokens()
            try await client.expectNoEvent("hub.token_expiring")
            clock.advance(by: .seconds(60))
            testHub.hub.superviseTokens()
            #expect(try await client.expectClose() == CloseCode.tokenExpired.rawValue)
        }
    }

    @Test("short tokens are warned at half their lifetime") func shortLived() async throws {
        let clock = TestClock()
        try await TestHub.run(modules: [ProbeModule.self], clock: clock, configure: { $0.accessTokenTTLSeconds = 30 }) { testHub in
            let client = try await testHub.client()
            clock.advance(by: .seconds(15))
            testHub.hub.superviseTokens()
            #expect(try await client.expectEvent("hub.token_expiring").data["expiresInMs"] == 15_000)
        }
    }

    @Test("hub.auth swaps in a fresh token and resets the clock") func refresh() async throws {
        let clock = TestClock()
        try await TestHub.run(modules: [ProbeModule.self], clock: clock) { testHub in
            let client = try await testHub.client()
            clock.advance(by: .seconds(850))
            let fresh = try await testHub.hub.tokens.issue(for: client.identity)
            let reply = try await client.send("hub.auth", ["accessToken": .string(fresh.token)])
            #expect(reply.data["expiresIn"] == 900)
            clock.advance(by: .seconds(100))
            testHub.hub.superviseTokens()
            #expect(!client.isClosed)
            try await client.expectNoEvent("hub.token_expiring")
        }
    }

    @Test("hub.auth refuses another user's token and invalid tokens") func refuse() async throws {
        try await TestHub.run(modules: [ProbeModule.self]) { testHub in
            let alice = try await testHub.client()
            let bob = try await testHub.client()
            #expect(try await alice.send("hub.auth", ["accessToken": .string(bob.accessToken)]).error?.code == .forbidden)
            #expect(try await alice.send("hub.auth", ["accessToken": "junk"]).error?.code == .unauthorized)
            #expect(try await alice.send("hub.auth", ["accessToken": ""]).error?.code == .validationFailed)
        }
    }

    @Test("hub.auth picks up a role change") func roleChange() async throws {
        try await TestHub.run(modules: [ProbeModule.self]) { testHub in
            let client = try await testHub.client()
            #expect(try await client.send("probe.admin").error?.code == .forbidden)
            var promoted = client.identity
            promoted.role = .admin
            let token = try await testHub.hub.tokens.issue(for: promoted)
            #expect(try await client.send("hub.auth", ["accessToken": .string(token.token)]).ok)
            #expect(try await client.send("probe.admin").ok)
        }
    }
}

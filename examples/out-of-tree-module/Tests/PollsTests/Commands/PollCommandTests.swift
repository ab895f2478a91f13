import Testing
import HubKernel
import HubTesting
@testable import Polls

@Suite("poll commands")
struct PollCommandTests {
    func createPoll(_ client: TestClient, _ question: JSON = "Tea or coffee?") async throws -> String {
        let reply = try await client.send("poll.create", ["question": question, "options": ["tea", "coffee"]])
        #expect(reply.ok, "\(reply)")
        return try #require(reply.data["poll"]["id"].string)
    }

    @Test("create returns an open poll with zero votes") func create() async throws {
        try await TestHub.run(modules: [PollModule.self]) { hub in
            let alice = try await hub.client()
            let reply = try await alice.send("poll.create", ["question": "  Tea?  ", "options": ["tea", "coffee", "water"]])
            let poll = reply.data["poll"]
            #expect(poll["question"] == "Tea?")
            #expect(poll["options"].array?.map { $0["votes"] } == [0, 0, 0])
            #expect(poll["closed"] == false)
            #expect(poll["createdBy"].string == alice.identity.userID)
        }
    }

    static let invalidCreations: [(JSON, String)] = [
        (["question": "", "options": ["a", "b"]], "question"),
        (["question": "Q", "options": ["a"]], "options"),
        (["question": "Q", "options": ["a", "A"]], "options[1]"),
        (["question": "Q", "options": ["a", " "]], "options[1]"),
        (["question": "Q\u{0}", "options": ["a", "b"]], "question"),
        (["question": 5, "options": ["a", "b"]], "question"),
        (["question": "Q", "options": "a,b"], "options"),
        (["options": ["a", "b"]], "question"),
    ]

    @Test("create validation", arguments: invalidCreations)
    func createValidation(payload: JSON, field: String) async throws {
        try await TestHub.run(modules: [PollModule.self]) { hub in
            let reply = try await hub.client().send("poll.create", payload)
            #expect(reply.error?.code == .validationFailed)
            #expect(reply.error?.field == field)
        }
    }

    @Test("MODULES_POLL_MAX_OPTIONS bounds the options") func maxOptions() async throws {
        try await TestHub.run(modules: [PollModule.self], environment: ["MODULES_POLL_MAX_OPTIONS": "2"]) { hub in
            let reply = try await hub.client().send("poll.create", ["question": "Q", "options": ["a", "b", "c"]])
            #expect(reply.error?.field == "options")
        }
        await #expect(throws: ConfigurationError.self) {
            try await TestHub.run(modules: [PollModule.self], environment: ["MODULES_POLL_MAX_OPTIONS": "1"]) { _ in }
        }
    }

    @Test("guests may vote but not create polls") func guests() async throws {
        try await TestHub.run(modules: [PollModule.self]) { hub in
            let guest = try await hub.client(role: .guest)
            #expect(try await guest.send("poll.create", ["question": "Q", "options": ["a", "b"]]).error?.code == .forbidden)
            let id = try await createPoll(try await hub.client())
            #expect(try await guest.send("poll.vote", ["pollId": .string(id), "option": 0]).ok)
        }
    }

    @Test("create is limited to 3 at once per user") func createLimit() async throws {
        try await TestHub.run(modules: [PollModule.self]) { hub in
            let alice = try await hub.client()
            for _ in 0..<3 { _ = try await createPoll(alice) }
            let limited = try await alice.send("poll.create", ["question": "Q", "options": ["a", "b"]])
            #expect(limited.error?.code == .rateLimited)
            #expect((limited.error?.retryAfterMs ?? 0) > 0)
        }
    }

    @Test("a vote counts once and subscribers see the tally") func vote() async throws {
        try await TestHub.run(modules: [PollModule.self]) { hub in
            let alice = try await hub.client()
            let bob = try await hub.client()
            let id = try await createPoll(alice)
            #expect(try await alice.send("hub.subscribe", ["topic": .string("poll:\(id)")]).ok)
            let voted = try await bob.send("poll.vote", ["pollId": .string(id), "option": 1])
            #expect(voted.data["poll"]["options"][1]["votes"] == 1)
            let tally = try await alice.expectEvent("poll.tally", on: "poll:\(id)")
            #expect(tally.data["poll"]["options"][1]["votes"] == 1)
            let again = try await bob.send("poll.vote", ["pollId": .string(id), "option": 0])
            #expect(again.error?.code == .conflict)
            let get = try await bob.send("poll.get", ["pollId": .string(id)])
            #expect(get.data["myVote"] == 1)
            #expect(get.data["poll"]["options"][0]["votes"] == 0)
            #expect(try await alice.send("poll.get", ["pollId": .string(id)]).data["myVote"] == .null)
        }
    }

    @Test("votes for unknown polls and options") func voteErrors() async throws {
        try await TestHub.run(modules: [PollModule.self]) { hub in
            let alice = try await hub.client()
            let id = try await createPoll(alice)
            #expect(try await alice.send("poll.vote", ["pollId": "nope", "option": 0]).error?.code == .notFound)
            #expect(try await alice.send("poll.vote", ["pollId": .string(id), "option": 2]).error?.field == "option")
            #expect(try await alice.send("poll.vote", ["pollId": .string(id), "option": -1]).error?.field == "option")
            #expect(try await alice.send("poll.vote", ["pollId": "", "option": 0]).error?.field == "pollId")
            #expect(try await alice.send("poll.get", ["pollId": "nope"]).error?.code == .notFound)
        }
    }

    @Test("only the creator or an admin closes a poll; closed polls refuse votes") func close() async throws {
        try await TestHub.run(modules: [PollModule.self]) { hub in
            let alice = try await hub.client()
            let bob = try await hub.client()
            let admin = try await hub.client(role: .admin)
            let id = try await createPoll(alice)
            _ = try await bob.send("hub.subscribe", ["topic": .string("poll:\(id)")])
            #expect(try await bob.send("poll.close", ["pollId": .string(id)]).error?.code == .forbidden)
            #expect(try await alice.send("poll.close", ["pollId": .string(id)]).data["poll"]["closed"] == true)
            try await bob.expectEvent("poll.closed", on: "poll:\(id)")
            // idempotent, and announced once
            #expect(try await admin.send("poll.close", ["pollId": .string(id)]).ok)
            try await bob.expectNoEvent("poll.closed")
            #expect(try await bob.send("poll.vote", ["pollId": .string(id), "option": 0]).error?.code == .conflict)
        }
    }

    @Test("only existing polls can be watched") func watch() async throws {
        try await TestHub.run(modules: [PollModule.self]) { hub in
            let alice = try await hub.client()
            #expect(try await alice.send("hub.subscribe", ["topic": "poll:nope"]).error?.code == .notFound)
        }
    }

    @Test("the poll module passes the module conformance checks") func conformance() async throws {
        #expect(try await ModuleConformance.problems(of: PollModule.self) == [])
    }
}

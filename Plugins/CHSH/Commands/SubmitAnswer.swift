import HubKernel

/// `chsh.answer {roundId, answer}` → `{roundId, answer, complete}`: the caller's answer to the
/// item dealt to them (the client never names the item). Only for the team's current round,
/// once, while the game runs and both teammates are connected; otherwise `conflict`. The
/// second answer completes the round (`chsh.roundComplete` to both) and deals the next.
struct SubmitAnswer: CommandHandler {
    static let type: CommandType = "chsh.answer"
    static let role: Role = .guest
    static let rateLimit = RateLimit(10, per: .seconds(1), burst: 20, scope: .user)

    struct Payload: Decodable, Sendable {
        var roundId: String
        var answer: Bool
    }
    struct Reply: Encodable, Sendable {
        var roundId: String
        var answer: Bool
        var complete: Bool
    }

    let store: CHSHStore
    let announcer: CHSHAnnouncer

    func handle(_ payload: Payload, context: CommandContext) async throws -> Reply {
        let attendance = announcer.attendance
        let answered = try await store.answer(payload.answer, round: payload.roundId, by: context.identity.userID) { team in
            team.members.allSatisfy { attendance.isPresent($0.id) }
        }
        if answered.round.completed {
            try await announcer.completed(answered.round, team: answered.team)
        } else {
            announcer.throttle.changed(answered.round.gameID)
        }
        if let next = answered.next { try await announcer.dealt([next]) }
        return Reply(roundId: answered.round.id, answer: payload.answer, complete: answered.round.completed)
    }
}

import Foundation
import Hummingbird
import HubKernel

/// `GET /chsh/games/{id}/export.csv` (the game's host or an admin, `Authorization: Bearer`):
/// one row per answer, oldest first, times in UTC ISO-8601 with milliseconds. Fields are
/// quoted per RFC 4180, and a text field starting with `= + - @` gets a leading `'` so a
/// spreadsheet never runs a team name as a formula.
struct AnswerExport: Sendable {
    let store: CHSHStore
    let authenticator: Authenticator

    static let header = "answered_at,game_id,team_id,team_name,round_id,round_number,slot,player_id,player_name,item,answer"

    func handle(_ request: Request, gameID: String) async throws -> Response {
        let identity = try await authenticator.identity(for: request)
        let game = try await HostRules.hostedGame(gameID, store: store, identity: identity)
        var csv = Self.header + "\r\n"
        for record in try await store.answers(of: game.id) {
            let fields = [Self.timestamp(record.answeredAt), game.id, record.teamID, Self.text(record.teamName), record.roundID,
                          String(record.roundNumber), String(record.slot), record.playerID, Self.text(record.playerName),
                          record.item.rawValue, record.answer ? "true" : "false"]
            csv += fields.map(Self.quoted).joined(separator: ",") + "\r\n"
        }
        var headers = HTTPFields()
        headers[.contentType] = "text/csv; charset=utf-8"
        headers[.contentDisposition] = "attachment; filename=\"chsh-\(game.joinCode).csv\""
        headers[.cacheControl] = "no-store"
        return Response(status: .ok, headers: headers, body: ResponseBody(byteBuffer: ByteBuffer(string: csv)))
    }

    /// `2026-12-01T09:30:00.125Z`.
    static func timestamp(_ ms: Int64) -> String {
        let formatter = ISO8601DateFormatter()
        formatter.formatOptions = [.withInternetDateTime, .withFractionalSeconds]
        formatter.timeZone = TimeZone(identifier: "UTC")
        return formatter.string(from: Date(timeIntervalSince1970: Double(ms) / 1000))
    }

    /// A person's text, defused for spreadsheets.
    static func text(_ value: String) -> String {
        guard let first = value.first, "=+-@\t\r".contains(first) else { return value }
        return "'" + value
    }

    static func quoted(_ field: String) -> String {
        guard field.contains(where: { $0 == "," || $0 == "\"" || $0 == "\n" || $0 == "\r" }) else { return field }
        return "\"" + field.replacingOccurrences(of: "\"", with: "\"\"") + "\""
    }
}

import Foundation
import HubKernel

/// Access-token verification (``TokenService/verify(_:)``): the JWT parser a client reaches
/// before anything else.
///
/// The first byte picks how the rest is used: as a whole token, or spliced into a token the
/// service really issued (over its header, claims or signature). Properties: verification
/// fails only with `unauthorized`; whatever verifies names exactly the identity the service
/// signed (no forged, altered or confused claims ever pass).
struct TokenTarget: FuzzTarget {
    private let service: TokenService
    private let issued: String
    private let identity = Identity(userID: "u-fuzz", displayName: "Fuzz", role: .user)

    init() async throws {
        // a long lifetime so the issued token never expires during a run
        service = await TokenService(secret: String(repeating: "fuzz-secret-", count: 4), accessTokenTTLSeconds: 10 * 365 * 86_400, clock: SystemClock())
        issued = try await service.issue(for: identity).token
    }

    func run(_ input: Data) async {
        guard let mode = input.first, let fuzzed = String(data: input.dropFirst(), encoding: .utf8) else { return }
        let token: String
        if mode & 1 == 0 {
            token = fuzzed
        } else {
            // replace a span of the issued token, placed by the second and third bytes
            let characters = Array(issued)
            let start = Int(input.dropFirst().first ?? 0) * characters.count / 256
            let length = Int(input.dropFirst(2).first ?? 0) % 16
            let end = min(characters.count, start + length)
            token = String(characters[..<start]) + fuzzed + String(characters[end...])
        }
        do {
            let verified = try await service.verify(token).identity
            guard verified == identity else {
                FuzzFinding.report("a token verified as \(verified), which the service never signed", input: input)
            }
        } catch {
            guard error.code == .unauthorized else {
                FuzzFinding.report("verification failed with \(error.code.rawValue), not unauthorized", input: input)
            }
        }
    }
}

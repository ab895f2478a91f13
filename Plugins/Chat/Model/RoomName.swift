import HubKernel

/// Room names: public and private rooms match `^[a-z0-9][a-z0-9_-]{0,63}$`; direct
/// conversations are `dm:<a>:<b>` with the two user ids in ascending order.
enum RoomName {
    /// Checks a name a client may create or join by name.
    static func validate(_ name: String, field: String = "room") throws(ValidationFailure) {
        guard isValidPublicName(name) else {
            throw ValidationFailure(field, "\(field) must match ^[a-z0-9][a-z0-9_-]{0,63}$")
        }
    }

    /// Checks a name that may also be a DM room.
    static func validateAny(_ name: String, field: String = "room") throws(ValidationFailure) {
        if name.hasPrefix("dm:") {
            let parts = name.split(separator: ":", omittingEmptySubsequences: false)
            guard parts.count == 3, !parts[1].isEmpty, !parts[2].isEmpty, parts[1] < parts[2] else {
                throw ValidationFailure(field, "\(field) must be a room name or dm:<userId>:<userId>")
            }
            return
        }
        try validate(name, field: field)
    }

    static func isValidPublicName(_ name: String) -> Bool {
        let scalars = Array(name.unicodeScalars)
        guard (1...64).contains(scalars.count) else { return false }
        func lowerOrDigit(_ s: Unicode.Scalar) -> Bool { ("a"..."z").contains(s) || ("0"..."9").contains(s) }
        return lowerOrDigit(scalars[0]) && scalars.dropFirst().allSatisfy { lowerOrDigit($0) || $0 == "_" || $0 == "-" }
    }

    /// The DM room of two users.
    static func dm(_ a: String, _ b: String) -> String {
        a < b ? "dm:\(a):\(b)" : "dm:\(b):\(a)"
    }
}

/// The payload of commands that name one room: `{room}` (a room name or a DM name).
struct RoomPayload: Decodable, Sendable, Validatable {
    var room: String
    func validate() throws(ValidationFailure) { try RoomName.validateAny(room) }
}

import Foundation
public import SynseSDK

/// The profiles a plugin knows: the shipped ones (plugins/snmp/config/profiles, embedded by
/// scripts/generate-snmp-profiles.py), then every `*.yaml` of `SNMP_PROFILES_DIR`, whose
/// profiles replace shipped ones of the same name or add new ones.
public struct SNMPProfileLibrary: Sendable {
  public let profiles: [String: SNMPProfile]

  public init(_ profiles: [SNMPProfile]) {
    self.profiles = Dictionary(profiles.map { ($0.name, $0) }, uniquingKeysWith: { _, last in last })
  }

  /// - Throws: ``ConfigError`` naming the file and key of a bad profile, a directory that
  ///   cannot be read, or two files of the directory with one profile name.
  public static func load(directory: String?, outputs: [String: Output]) throws(ConfigError) -> SNMPProfileLibrary {
    var profiles: [SNMPProfile] = []
    for (file, yaml) in ShippedProfiles.files {
      profiles.append(try SNMPProfileParser.parse(yaml, file: "shipped profile \(file)", outputs: outputs))
    }
    guard let directory, !directory.isEmpty else { return SNMPProfileLibrary(profiles) }
    let names: [String]
    do {
      names = try FileManager.default.contentsOfDirectory(atPath: directory).filter { $0.hasSuffix(".yaml") || $0.hasSuffix(".yml") }.sorted()
    } catch {
      throw ConfigError(.missingFile, file: directory, key: "SNMP_PROFILES_DIR", message: "cannot read the profile directory")
    }
    var fromDirectory: [String: String] = [:]
    for name in names {
      let path = (directory as NSString).appendingPathComponent(name)
      guard let data = FileManager.default.contents(atPath: path) else {
        throw ConfigError(.missingFile, file: path, key: "SNMP_PROFILES_DIR", message: "cannot read the profile")
      }
      let profile = try SNMPProfileParser.parse(String(decoding: data, as: UTF8.self), file: path, outputs: outputs)
      if let other = fromDirectory[profile.name] {
        throw ConfigError(.invalidValue, file: path, key: "name", message: "profile '\(profile.name)' is also defined in \(other)")
      }
      fromDirectory[profile.name] = path
      profiles.append(profile)
    }
    return SNMPProfileLibrary(profiles)
  }

  /// The profile whose `sysObjectID` prefix is the longest one of `sysObjectID`; ties go to
  /// the first name in order.
  public func matching(sysObjectID: OID) -> SNMPProfile? {
    var best: (length: Int, profile: SNMPProfile)?
    for profile in profiles.values.sorted(by: { $0.name < $1.name }) {
      for prefix in profile.sysObjectIDs where sysObjectID.hasPrefix(prefix) {
        if best == nil || prefix.parts.count > best!.length { best = (prefix.parts.count, profile) }
      }
    }
    return best?.profile
  }

  /// Profiles with a probe OID, by name.
  public var probing: [SNMPProfile] { profiles.values.filter { $0.probe != nil }.sorted { $0.name < $1.name } }
}

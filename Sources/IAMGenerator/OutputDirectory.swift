import Foundation

/// Writes generated files into a folder the generator owns, and compares a folder with what it should hold.
public struct OutputDirectory: Sendable {
    public var path: String

    public init(path: String) {
        self.path = path
    }

    /// A difference between the folder and the generated files.
    public struct Difference: Sendable, Hashable, CustomStringConvertible {
        public enum Kind: String, Sendable { case missing, stale, extra }
        public var kind: Kind
        public var path: String

        public var description: String {
            switch kind {
            case .missing: return "missing: \(path) (not generated yet)"
            case .stale: return "stale:   \(path) (differs from what the catalog produces)"
            case .extra: return "extra:   \(path) (no longer produced by the catalog)"
            }
        }
    }

    /// Files (relative paths) the folder holds that the generator could have written.
    func existingFiles() -> [String] {
        let root = URL(fileURLWithPath: path)
        guard let enumerator = FileManager.default.enumerator(at: root, includingPropertiesForKeys: [.isRegularFileKey]) else { return [] }
        var files: [String] = []
        let rootPath = root.standardizedFileURL.path
        for case let url as URL in enumerator {
            guard (try? url.resourceValues(forKeys: [.isRegularFileKey]).isRegularFile) == true else { continue }
            guard url.pathExtension == "json" || url.pathExtension == "md" else { continue }
            let full = url.standardizedFileURL.path
            guard full.hasPrefix(rootPath + "/") else { continue }
            files.append(String(full.dropFirst(rootPath.count + 1)))
        }
        return files.sorted()
    }

    public func differences(from files: [GeneratedFile]) -> [Difference] {
        var differences: [Difference] = []
        let expected = Set(files.map(\.path))
        for file in files {
            let url = URL(fileURLWithPath: path).appendingPathComponent(file.path)
            guard let data = FileManager.default.contents(atPath: url.path) else {
                differences.append(Difference(kind: .missing, path: "\(path)/\(file.path)"))
                continue
            }
            if data != Data(file.contents.utf8) { differences.append(Difference(kind: .stale, path: "\(path)/\(file.path)")) }
        }
        for existing in existingFiles() where !expected.contains(existing) {
            differences.append(Difference(kind: .extra, path: "\(path)/\(existing)"))
        }
        return differences
    }

    /// Writes every file (only when its content changed) and removes files the catalog no longer produces.
    /// Returns the number of files written and removed.
    @discardableResult
    public func write(_ files: [GeneratedFile]) throws -> (written: Int, removed: Int) {
        let manager = FileManager.default
        var written = 0
        var removed = 0
        let expected = Set(files.map(\.path))
        for existing in existingFiles() where !expected.contains(existing) {
            try manager.removeItem(atPath: URL(fileURLWithPath: path).appendingPathComponent(existing).path)
            removed += 1
        }
        for file in files {
            let url = URL(fileURLWithPath: path).appendingPathComponent(file.path)
            let data = Data(file.contents.utf8)
            if manager.contents(atPath: url.path) == data { continue }
            try manager.createDirectory(at: url.deletingLastPathComponent(), withIntermediateDirectories: true)
            try data.write(to: url, options: .atomic)
            written += 1
        }
        removeEmptyDirectories(URL(fileURLWithPath: path))
        return (written, removed)
    }

    private func removeEmptyDirectories(_ url: URL) {
        let manager = FileManager.default
        guard let children = try? manager.contentsOfDirectory(at: url, includingPropertiesForKeys: [.isDirectoryKey]) else { return }
        for child in children where (try? child.resourceValues(forKeys: [.isDirectoryKey]).isDirectory) == true {
            removeEmptyDirectories(child)
            if (try? manager.contentsOfDirectory(atPath: child.path))?.isEmpty == true {
                try? manager.removeItem(at: child)
            }
        }
    }
}

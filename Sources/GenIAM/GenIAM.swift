import ArgumentParser
import Foundation
import IAMGenerator
import IAMNaming
import UseCaseCatalog

/// `gen-iam`: generates every IAM artifact the gateway's use cases need from `policies/catalog.yaml`.
///
/// Exit codes: 0 success, 1 validation or staleness failure, 2 usage error.
@main
struct GenIAM: ParsableCommand {
    static let configuration = CommandConfiguration(
        commandName: "gen-iam",
        abstract: "Generate IAM roles, trust and permission policies, OIDC providers and Terraform from the use-case catalog.",
        discussion: """
            Run from the repository root; with no arguments it runs `generate` with the default paths.
            Exit codes: 0 success, 1 catalog or staleness failure, 2 usage error.
            """,
        subcommands: [Generate.self, Check.self, Validate.self, Names.self],
        defaultSubcommand: Generate.self
    )

    static func main() {
        do {
            var command = try parseAsRoot()
            try command.run()
        } catch let failure as Failure {
            FileHandle.standardError.write(Data((failure.message + "\n").utf8))
            Foundation.exit(1)
        } catch {
            let code = exitCode(for: error)
            if code == .success {
                print(fullMessage(for: error))
                Foundation.exit(0)
            }
            let message = fullMessage(for: error)
            if !message.isEmpty { FileHandle.standardError.write(Data((message + "\n").utf8)) }
            Foundation.exit(code == .failure ? 1 : 2)
        }
    }
}

/// A failure already explained to the user: exit 1.
struct Failure: Error {
    var message: String
}

struct Paths: ParsableArguments {
    @Option(name: .long, help: "The use-case catalog.")
    var catalog = "policies/catalog.yaml"

    @Option(name: .long, help: "Folder for policy documents and manifest.json.")
    var out = "policies/generated"

    @Option(name: .customLong("terraform-out"), help: "Folder for the generated Terraform (*.tf.json).")
    var terraformOut = "iac/generated"
}

func loadGeneration(_ path: String) throws -> IAMGeneration {
    do {
        let catalog = try CatalogLoader.load(path: path)
        let generation = try IAMGeneration(catalog: catalog)
        for warning in generation.warnings { FileHandle.standardError.write(Data("\(warning)\n".utf8)) }
        return generation
    } catch {
        throw Failure(message: error.description)
    }
}

struct Generate: ParsableCommand {
    static let configuration = CommandConfiguration(abstract: "Write policies, OIDC providers, Terraform and manifest.json.")

    @OptionGroup var paths: Paths

    func run() throws {
        let generation = try loadGeneration(paths.catalog)
        do {
            let policies = try OutputDirectory(path: paths.out).write(generation.policyFiles)
            let terraform = try OutputDirectory(path: paths.terraformOut).write(generation.terraformFiles)
            print(
                "gen-iam: \(generation.roles.count) roles in \(generation.plan.identityProviders.count) accounts, "
                    + "\(generation.roles.reduce(0) { $0 + $1.policies.count }) permission policies, "
                    + "\(generation.sessionPolicies.count) session policies; "
                    + "\(policies.written + terraform.written) files written, \(policies.removed + terraform.removed) removed "
                    + "(\(paths.out), \(paths.terraformOut))"
            )
        } catch {
            throw Failure(message: "gen-iam: cannot write the generated files: \(error.localizedDescription)")
        }
    }
}

struct Check: ParsableCommand {
    static let configuration = CommandConfiguration(abstract: "Fail (exit 1) when the committed generated files differ from what the catalog produces.")

    @OptionGroup var paths: Paths

    func run() throws {
        let generation = try loadGeneration(paths.catalog)
        let differences = OutputDirectory(path: paths.out).differences(from: generation.policyFiles)
            + OutputDirectory(path: paths.terraformOut).differences(from: generation.terraformFiles)
        if differences.isEmpty {
            print("gen-iam check: generated files are up to date with \(paths.catalog)")
            return
        }
        throw Failure(
            message: (["gen-iam check: \(differences.count) generated file(s) out of date with \(paths.catalog):"]
                + differences.map { "  \($0)" }
                + ["Run `swift run gen-iam generate` and commit the result."]).joined(separator: "\n")
        )
    }
}

struct Validate: ParsableCommand {
    static let configuration = CommandConfiguration(abstract: "Validate the catalog (and IAM limits of what it implies) without writing anything.")

    @Option(name: .long, help: "The use-case catalog.")
    var catalog = "policies/catalog.yaml"

    func run() throws {
        let generation = try loadGeneration(catalog)
        print("gen-iam validate: \(catalog) is valid: \(generation.plan.catalog.useCases.count) use cases, \(generation.roles.count) roles")
    }
}

struct Names: ParsableCommand {
    static let configuration = CommandConfiguration(abstract: "Work with names of the ACME naming convention.", subcommands: [Parse.self])

    struct Parse: ParsableCommand {
        static let configuration = CommandConfiguration(abstract: "Print each name's fields as JSON, or why it does not follow the convention.")

        @Argument(help: "Names such as ACME-GenAI-UseCaseA-BedrockInvokeRole.")
        var names: [String]

        func validate() throws {
            if names.isEmpty { throw ValidationError("give at least one name to parse") }
        }

        func run() throws {
            var failed = false
            for name in names {
                do {
                    let parsed = try IAMName.parse(name)
                    var fields: [String: JSONValue] = [:]
                    for field in parsed.fields { fields[field.name] = .string(field.value) }
                    let json: JSONValue = ["name": .string(name), "kind": .string(parsed.kind.rawValue), "fields": .object(fields)]
                    print(json.compact)
                } catch {
                    failed = true
                    FileHandle.standardError.write(Data("error: \(error.description)\n".utf8))
                }
            }
            if failed { throw ExitCode.failure }
        }
    }
}

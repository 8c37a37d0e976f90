// Man pages (roff) and bash, zsh and fish completions from the CLI11
// definitions of ratchet's commands.
#include "cli_docs.h"

#include <fmt/format.h>

#include <cctype>
#include <fstream>
#include <set>
#include <sstream>

#include "ratchet/runner.h"

namespace ratchet::tool {
namespace {

namespace fs = std::filesystem;

// Exit codes, as DESIGN §3 and status.h define them.
const char* const kExitCodes[][2] = {
    {"0", "done"},
    {"1", "an upgrade failed; the database's state records it"},
    {"2", "bad usage or a bad upgrade set; nothing was touched"},
    {"3", "checks (check, lint, verify, snapshot --diff) found problems"},
    {"4", "the upgrade lock was not obtained within --lock-wait"},
    {"5", "refused: drift, unknown versions, rollback after the pivot ..."},
    {"130, 143", "stopped by SIGINT or SIGTERM; the state records where"},
};

std::vector<const CLI::App*> Commands(const CLI::App& app) {
  return app.get_subcommands([](const CLI::App*) { return true; });
}

std::vector<const CLI::Option*> Options(const CLI::App& command) {
  return command.get_options([](const CLI::Option* o) { return o->nonpositional(); });
}

std::vector<const CLI::Option*> Positionals(const CLI::App& command) {
  return command.get_options([](const CLI::Option* o) { return !o->nonpositional(); });
}

bool TakesValue(const CLI::Option& o) { return o.get_type_size() != 0; }

// Every name of an option, long ones first: "--jobs", "-j".
std::vector<std::string> Names(const CLI::Option& o) {
  std::vector<std::string> out;
  for (const std::string& l : o.get_lnames()) out.push_back("--" + l);
  for (const std::string& s : o.get_snames()) out.push_back("-" + s);
  return out;
}

// What the value of an option is, for completion: a directory, a file, one
// of some words, or anything.
enum class ValueKind { kAny, kDirectory, kFile, kEngine };

ValueKind KindOf(const CLI::Option& o) {
  const std::string& name = o.get_lnames().empty() ? "" : o.get_lnames().front();
  if (name == "set") return ValueKind::kDirectory;
  if (name == "targets" || name == "diff") return ValueKind::kFile;
  if (name == "engine") return ValueKind::kEngine;
  return ValueKind::kAny;
}

// Text for roff: backslashes doubled, a leading dot or quote made literal,
// dashes that are part of option names kept as minus signs.
std::string Roff(const std::string& text) {
  std::string out;
  for (char c : text) {
    if (c == '\\') {
      out += "\\e";
    } else if (c == '-') {
      out += "\\-";
    } else {
      out += c;
    }
  }
  if (!out.empty() && (out[0] == '.' || out[0] == '\'')) out = "\\&" + out;
  return out;
}

std::string Upper(std::string s) {
  for (char& c : s) c = static_cast<char>(std::toupper(static_cast<unsigned char>(c)));
  return s;
}

std::string Synopsis(const CLI::App& command) {
  std::string out = "\\fBratchet " + Roff(command.get_name()) + "\\fR";
  for (const CLI::Option* p : Positionals(command)) {
    std::string name = Upper(p->get_name(true));
    out += p->get_required() ? " \\fI" + Roff(name) + "\\fR" : " [\\fI" + Roff(name) + "\\fR]";
  }
  if (!Options(command).empty()) out += " [\\fIOPTIONS\\fR]";
  return out;
}

void ManHeader(std::ostream& out, const std::string& title, const std::string& version) {
  out << fmt::format(".TH {} 1 \"\" \"ratchet {}\" \"ratchet manual\"\n", Upper(Roff(title)),
                     Roff(version));
}

void ManExitStatus(std::ostream& out) {
  out << ".SH EXIT STATUS\n";
  for (const auto& row : kExitCodes) {
    out << ".TP\n.B " << row[0] << "\n" << Roff(row[1]) << "\n";
  }
}

std::string CommandPage(const CLI::App& command, const std::string& version) {
  std::ostringstream out;
  ManHeader(out, "ratchet-" + command.get_name(), version);
  out << ".SH NAME\nratchet\\-" << Roff(command.get_name()) << " \\- "
      << Roff(command.get_description()) << "\n";
  out << ".SH SYNOPSIS\n" << Synopsis(command) << "\n";
  out << ".SH DESCRIPTION\n" << Roff(command.get_description()) << ".\n";
  std::vector<const CLI::Option*> positionals = Positionals(command);
  if (!positionals.empty()) {
    out << ".SH ARGUMENTS\n";
    for (const CLI::Option* p : positionals) {
      out << ".TP\n.I " << Roff(Upper(p->get_name(true))) << "\n"
          << Roff(p->get_description()) << (p->get_required() ? " (required)" : "") << "\n";
    }
  }
  out << ".SH OPTIONS\n";
  for (const CLI::Option* o : Options(command)) {
    std::string names;
    for (const std::string& n : Names(*o)) names += (names.empty() ? "" : ", ") + Roff(n);
    out << ".TP\n.B " << names;
    if (TakesValue(*o)) out << " \\fI" << Roff(o->get_type_name()) << "\\fR";
    out << "\n" << Roff(o->get_description());
    if (!o->get_default_str().empty()) {
      out << " (default: " << Roff(o->get_default_str()) << ")";
    }
    out << "\n";
  }
  ManExitStatus(out);
  out << ".SH SEE ALSO\n\\fBratchet\\fR(1)\n";
  return out.str();
}

std::string MainPage(const CLI::App& app, const std::string& version) {
  std::ostringstream out;
  ManHeader(out, "ratchet", version);
  out << ".SH NAME\nratchet \\- upgrade the schema of live databases in place\n";
  out << ".SH SYNOPSIS\n\\fBratchet\\fR \\fICOMMAND\\fR [\\fIOPTIONS\\fR]\n.br\n"
         "\\fBratchet help\\fR \\fICOMMAND\\fR\n";
  out << ".SH DESCRIPTION\n" << Roff(app.get_description()) << "\n";
  out << ".PP\nEvery command takes \\fB\\-\\-json\\fR, which writes one JSON object a line "
         "for programs instead of text.\n";
  out << ".SH COMMANDS\n";
  for (const CLI::App* command : Commands(app)) {
    out << ".TP\n.B " << Roff(command->get_name()) << "\n"
        << Roff(command->get_description()) << "; see \\fBratchet\\-" << Roff(command->get_name())
        << "\\fR(1).\n";
  }
  out << ".SH ENVIRONMENT\n"
         ".TP\n.B RATCHET_DB\nthe database when no \\fB\\-\\-db\\fR is given\n"
         ".TP\n.B PGHOST, PGUSER, PGPASSWORD, PGDATABASE ...\nhonoured for PostgreSQL "
         "databases, as by libpq\n"
         ".TP\n.B NO_COLOR\nratchet writes no colour; a progress line that redraws itself "
         "appears only on a terminal, and not with TERM=dumb\n";
  ManExitStatus(out);
  out << ".SH SEE ALSO\n";
  std::string see;
  for (const CLI::App* command : Commands(app)) {
    see += (see.empty() ? "" : ",\n") + std::string("\\fBratchet\\-") + Roff(command->get_name()) +
           "\\fR(1)";
  }
  out << see << "\n";
  return out.str();
}

// Text inside single quotes for bash and zsh.
std::string ShellSingle(const std::string& text) {
  std::string out = "'";
  for (char c : text) out += c == '\'' ? std::string("'\\''") : std::string(1, c);
  return out + "'";
}

std::string CommandNames(const CLI::App& app) {
  std::string out;
  for (const CLI::App* command : Commands(app))
    out += (out.empty() ? "" : " ") + command->get_name();
  return out;
}

std::string Bash(const CLI::App& app) {
  std::ostringstream out;
  out << "# bash completion for ratchet, generated by 'ratchet --generate bash'.\n"
      << "_ratchet() {\n"
      << "  local cur=\"${COMP_WORDS[COMP_CWORD]}\" prev=\"${COMP_WORDS[COMP_CWORD-1]}\"\n"
      << "  local commands=" << ShellSingle(CommandNames(app)) << "\n"
      << "  if [ \"$COMP_CWORD\" -eq 1 ]; then\n"
      << "    COMPREPLY=($(compgen -W \"$commands --help --version\" -- \"$cur\"))\n"
      << "    return\n  fi\n"
      << "  case \"$prev\" in\n";
  // Options whose value is a directory, a file or a word.
  std::set<std::string> dirs, files, engines;
  for (const CLI::App* command : Commands(app)) {
    for (const CLI::Option* o : Options(*command)) {
      for (const std::string& n : Names(*o)) {
        ValueKind kind = KindOf(*o);
        if (kind == ValueKind::kDirectory) dirs.insert(n);
        if (kind == ValueKind::kFile) files.insert(n);
        if (kind == ValueKind::kEngine) engines.insert(n);
      }
    }
  }
  auto alternatives = [](const std::set<std::string>& names) {
    std::string out;
    for (const std::string& n : names) out += (out.empty() ? "" : "|") + n;
    return out;
  };
  if (!dirs.empty()) {
    out << "    " << alternatives(dirs) << ") COMPREPLY=($(compgen -d -- \"$cur\")); return ;;\n";
  }
  if (!files.empty()) {
    out << "    " << alternatives(files) << ") COMPREPLY=($(compgen -f -- \"$cur\")); return ;;\n";
  }
  if (!engines.empty()) {
    out << "    " << alternatives(engines)
        << ") COMPREPLY=($(compgen -W 'sqlite postgresql' -- \"$cur\")); return ;;\n";
  }
  out << "  esac\n  local options=\"\"\n  case \"${COMP_WORDS[1]}\" in\n";
  for (const CLI::App* command : Commands(app)) {
    std::string options;
    for (const CLI::Option* o : Options(*command)) {
      for (const std::string& n : Names(*o)) options += (options.empty() ? "" : " ") + n;
    }
    out << "    " << command->get_name() << ") options=" << ShellSingle(options);
    if (command->get_name() == "help") out << "; options=\"$options $commands\"";
    out << " ;;\n";
  }
  out << "  esac\n"
      << "  COMPREPLY=($(compgen -W \"$options\" -- \"$cur\"))\n"
      << "}\n"
      << "complete -o default -F _ratchet ratchet\n";
  return out.str();
}

// A description inside the brackets of a zsh _arguments spec.
std::string ZshDescription(const std::string& text) {
  std::string out;
  for (char c : text) {
    if (c == '[' || c == ']' || c == '\\') out += '\\';
    out += c;
  }
  return out;
}

std::string Zsh(const CLI::App& app) {
  std::ostringstream out;
  out << "#compdef ratchet\n"
      << "# zsh completion for ratchet, generated by 'ratchet --generate zsh'.\n"
      << "_ratchet() {\n"
      << "  local -a commands\n"
      << "  commands=(\n";
  for (const CLI::App* command : Commands(app)) {
    out << "    " << ShellSingle(command->get_name() + ":" + command->get_description()) << "\n";
  }
  out << "  )\n"
      << "  if (( CURRENT == 2 )); then\n"
      << "    _describe -t commands 'ratchet command' commands\n"
      << "    return\n  fi\n"
      << "  local command=$words[2]\n"
      << "  shift words\n"
      << "  (( CURRENT-- ))\n"
      << "  case $command in\n";
  for (const CLI::App* command : Commands(app)) {
    out << "    " << command->get_name() << ")\n      _arguments";
    for (const CLI::Option* o : Options(*command)) {
      std::vector<std::string> names = Names(*o);
      std::string action;
      if (TakesValue(*o)) {
        switch (KindOf(*o)) {
          case ValueKind::kDirectory:
            action = ":directory:_files -/";
            break;
          case ValueKind::kFile:
            action = ":file:_files";
            break;
          case ValueKind::kEngine:
            action = ":engine:(sqlite postgresql)";
            break;
          case ValueKind::kAny:
            action = ":" + o->get_type_name() + ": ";
            break;
        }
      }
      std::string repeat = o->get_expected_max() > 1 ? "*" : "";
      for (const std::string& n : names) {
        out << " \\\n        "
            << ShellSingle(repeat + n + "[" + ZshDescription(o->get_description()) + "]" + action);
      }
    }
    if (command->get_name() == "help") {
      out << " \\\n        '1:command:(" << CommandNames(app) << ")'";
    } else if (command->get_name() == "init") {
      out << " \\\n        '1:directory:_files -/'";
    } else {
      for (const CLI::Option* p : Positionals(*command)) {
        out << " \\\n        " << ShellSingle("1:" + p->get_name(true) + ": ");
      }
    }
    out << "\n      ;;\n";
  }
  out << "  esac\n}\n"
      << "_ratchet \"$@\"\n";
  return out.str();
}

// Text inside single quotes for fish.
std::string FishSingle(const std::string& text) {
  std::string out = "'";
  for (char c : text) {
    if (c == '\'' || c == '\\') out += '\\';
    out += c;
  }
  return out + "'";
}

std::string Fish(const CLI::App& app) {
  std::ostringstream out;
  out << "# fish completion for ratchet, generated by 'ratchet --generate fish'.\n"
      << "complete -c ratchet -f\n";
  for (const CLI::App* command : Commands(app)) {
    out << "complete -c ratchet -n '__fish_use_subcommand' -a " << command->get_name() << " -d "
        << FishSingle(command->get_description()) << "\n";
  }
  for (const CLI::App* command : Commands(app)) {
    const std::string when = "'__fish_seen_subcommand_from " + command->get_name() + "'";
    for (const CLI::Option* o : Options(*command)) {
      out << "complete -c ratchet -n " << when;
      for (const std::string& l : o->get_lnames()) out << " -l " << l;
      for (const std::string& s : o->get_snames()) out << " -s " << s;
      if (TakesValue(*o)) {
        out << " -r";
        switch (KindOf(*o)) {
          case ValueKind::kDirectory:
            out << " -a '(__fish_complete_directories)'";
            break;
          case ValueKind::kFile:
            out << " -F";
            break;
          case ValueKind::kEngine:
            out << " -a 'sqlite postgresql'";
            break;
          case ValueKind::kAny:
            break;
        }
      }
      out << " -d " << FishSingle(o->get_description()) << "\n";
    }
    if (command->get_name() == "help") {
      out << "complete -c ratchet -n " << when << " -a " << FishSingle(CommandNames(app)) << "\n";
    }
    if (command->get_name() == "init") {
      out << "complete -c ratchet -n " << when << " -a '(__fish_complete_directories)'\n";
    }
  }
  return out.str();
}

Status Write(const fs::path& path, const std::string& text) {
  std::ofstream out(path, std::ios::binary);
  out << text;
  out.close();
  if (!out) return Status(Code::kIo, "cannot write " + path.string());
  return Status::Ok();
}

}  // namespace

Status GenerateCliDocs(const CLI::App& app, const std::string& what, const fs::path& dir) {
  std::error_code ec;
  fs::create_directories(dir, ec);
  if (ec) return Status(Code::kIo, fmt::format("cannot create {}: {}", dir.string(), ec.message()));
  const std::string version = ratchet::ToolVersion();
  if (what == "man") {
    RATCHET_RETURN_IF_ERROR(Write(dir / "ratchet.1", MainPage(app, version)));
    for (const CLI::App* command : Commands(app)) {
      RATCHET_RETURN_IF_ERROR(
          Write(dir / ("ratchet-" + command->get_name() + ".1"), CommandPage(*command, version)));
    }
    return Status::Ok();
  }
  if (what == "bash") return Write(dir / "ratchet", Bash(app));
  if (what == "zsh") return Write(dir / "_ratchet", Zsh(app));
  if (what == "fish") return Write(dir / "ratchet.fish", Fish(app));
  return Status(Code::kInvalidArgument,
                fmt::format("--generate {}: write man, bash, zsh or fish", what));
}

}  // namespace ratchet::tool

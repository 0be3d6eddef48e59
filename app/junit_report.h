// `--junit FILE` for `meshsim sweep` and `meshsim check`: the batch as JUnit XML, the report
// format every CI server reads (Jenkins, GitLab, GitHub Actions through a reporter action,
// Azure, TeamCity). The format is the one Jenkins documents in its junit-10 schema and
// Ant's <junit> task writes; tests/cli/junit.xsd is our own schema of the subset written
// here, and the CLI tests validate every report against it.
//
// One <testsuite> per scenario, one <testcase> per scenario and seed:
//   complete            passes (no child element);
//   failed              <failure message="first line" type="failed"> with the whole text and
//                       the command that reproduces the run;
//   inconclusive        <skipped message="inconclusive: ...">: the checker could not decide,
//                       so the run is neither a pass nor a failure. Skipped is the one
//                       neutral outcome CI tools show; the command's exit code (5) is what
//                       a pipeline uses to treat it as a failure if it wants;
//   interrupted/not run <skipped message="interrupted: ...">: the user stopped the batch;
//   bad input/internal  <error type="bad-input" | "internal-error">.
#pragma once
#include <string>
#include <vector>

#include "app/batch_report.h"

namespace meshsim::cli {

// The report as text. `name` names the whole batch ("meshsim sweep scenarios/x.toml").
std::string junit_xml(const std::string& name, const std::vector<BatchRun>& runs, const std::string& build_id);

// Escapes text for XML 1.0 (attribute values and element content alike): markup characters
// become entities, and characters XML 1.0 forbids (control characters, invalid UTF-8) become
// U+FFFD, so any failure text yields a well-formed file. Exposed for tests.
std::string xml_escape(const std::string& text);

}  // namespace meshsim::cli

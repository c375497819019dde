# Print an optspec for argparse to handle cmd's options that are independent of any subcommand.
function __fish_chartgen_global_optspecs
    string join \n check root= h/help V/version
end

function __fish_chartgen_needs_command
    # Figure out if the current invocation already has a command.
    set -l cmd (commandline -opc)
    set -e cmd[1]
    argparse -s (__fish_chartgen_global_optspecs) -- $cmd 2>/dev/null
    or return
    if set -q argv[1]
        # Also print the command, so this can be used to figure out what it is.
        echo $argv[1]
        return 1
    end
    return 0
end

function __fish_chartgen_using_subcommand
    set -l cmd (__fish_chartgen_needs_command)
    test -z "$cmd"
    and return 1
    contains -- $cmd[1] $argv
end

complete -c chartgen -n "__fish_chartgen_needs_command" -l root -d 'Repository root (the directory holding chart-src/). Default: found from the current directory upwards' -r -F
complete -c chartgen -n "__fish_chartgen_needs_command" -l check -d 'Write nothing; exit 1 with a unified diff of every stale generated file'
complete -c chartgen -n "__fish_chartgen_needs_command" -s h -l help -d 'Print help'
complete -c chartgen -n "__fish_chartgen_needs_command" -s V -l version -d 'Print version'
complete -c chartgen -n "__fish_chartgen_needs_command" -f -a "explain" -d 'Print how a sized variant\'s memory, CPU and PVC were derived, term by term'
complete -c chartgen -n "__fish_chartgen_needs_command" -f -a "new-variant" -d 'Add a sized variant to chart-src/variants.yaml and regenerate'
complete -c chartgen -n "__fish_chartgen_needs_command" -f -a "fleet" -d 'Write a fleet\'s deployment input: one values file per instance (only what differs from its chart), a helmfile.yaml and an Argo CD ApplicationSet. With --check, write nothing and exit 1 with a diff when DIR is stale'
complete -c chartgen -n "__fish_chartgen_needs_command" -f -a "package" -d 'Package every generated chart (`helm package`) into a chart repository directory with an index.yaml. A chart version already packaged there is never replaced: a chart whose files changed without a new version fails (exit 1). With --check, write nothing and exit 1 when DIR lacks a package'
complete -c chartgen -n "__fish_chartgen_needs_command" -f -a "plan" -d 'Say what a fleet change will do, per instance: the values and objects that change and each consequence (live, rolling restart, PVC expansion, refused by Kubernetes, new, removed). Lint errors in the new fleet are reported first (exit 1)'
complete -c chartgen -n "__fish_chartgen_needs_command" -f -a "help" -d 'Print this message or the help of the given subcommand(s)'
complete -c chartgen -n "__fish_chartgen_using_subcommand explain" -l root -d 'Repository root (the directory holding chart-src/). Default: found from the current directory upwards' -r -F
complete -c chartgen -n "__fish_chartgen_using_subcommand explain" -l check -d 'Write nothing; exit 1 with a unified diff of every stale generated file'
complete -c chartgen -n "__fish_chartgen_using_subcommand explain" -s h -l help -d 'Print help'
complete -c chartgen -n "__fish_chartgen_using_subcommand new-variant" -l name -d 'Chart name, e.g. redis-3g' -r
complete -c chartgen -n "__fish_chartgen_using_subcommand new-variant" -l maxmemory -d 'Redis maxmemory in Redis units, e.g. 3gb' -r
complete -c chartgen -n "__fish_chartgen_using_subcommand new-variant" -l root -d 'Repository root (the directory holding chart-src/). Default: found from the current directory upwards' -r -F
complete -c chartgen -n "__fish_chartgen_using_subcommand new-variant" -l check -d 'Write nothing; exit 1 with a unified diff of every stale generated file'
complete -c chartgen -n "__fish_chartgen_using_subcommand new-variant" -s h -l help -d 'Print help'
complete -c chartgen -n "__fish_chartgen_using_subcommand fleet" -l out -d 'Output directory, replaced as a whole (only a directory chartgen fleet wrote, or a new or empty one)' -r -F
complete -c chartgen -n "__fish_chartgen_using_subcommand fleet" -l root -d 'Repository root (the directory holding chart-src/). Default: found from the current directory upwards' -r -F
complete -c chartgen -n "__fish_chartgen_using_subcommand fleet" -l no-lint -d 'Write even when an instance fails the linter'
complete -c chartgen -n "__fish_chartgen_using_subcommand fleet" -l check -d 'Write nothing; exit 1 with a unified diff of every stale generated file'
complete -c chartgen -n "__fish_chartgen_using_subcommand fleet" -s h -l help -d 'Print help'
complete -c chartgen -n "__fish_chartgen_using_subcommand package" -l out -d 'The chart repository directory' -r -F
complete -c chartgen -n "__fish_chartgen_using_subcommand package" -l helm -d 'The helm binary' -r -F
complete -c chartgen -n "__fish_chartgen_using_subcommand package" -l root -d 'Repository root (the directory holding chart-src/). Default: found from the current directory upwards' -r -F
complete -c chartgen -n "__fish_chartgen_using_subcommand package" -l check -d 'Write nothing; exit 1 with a unified diff of every stale generated file'
complete -c chartgen -n "__fish_chartgen_using_subcommand package" -s h -l help -d 'Print help'
complete -c chartgen -n "__fish_chartgen_using_subcommand plan" -l git-rev -d 'Compare NEW.yaml with the same file at this git revision (e.g. HEAD, main)' -r
complete -c chartgen -n "__fish_chartgen_using_subcommand plan" -l format -d 'Output format' -r -f -a "human\t''
json\t''"
complete -c chartgen -n "__fish_chartgen_using_subcommand plan" -l kube-version -d 'The cluster\'s Kubernetes version, for --in-place' -r
complete -c chartgen -n "__fish_chartgen_using_subcommand plan" -l root -d 'Repository root (the directory holding chart-src/). Default: found from the current directory upwards' -r -F
complete -c chartgen -n "__fish_chartgen_using_subcommand plan" -l in-place -d 'Plan memory increases as zero-restart in-place pod resizes where they apply (Kubernetes 1.35+): exact kubectl and redis-cli steps'
complete -c chartgen -n "__fish_chartgen_using_subcommand plan" -l check -d 'Write nothing; exit 1 with a unified diff of every stale generated file'
complete -c chartgen -n "__fish_chartgen_using_subcommand plan" -s h -l help -d 'Print help'
complete -c chartgen -n "__fish_chartgen_using_subcommand help; and not __fish_seen_subcommand_from explain new-variant fleet package plan help" -f -a "explain" -d 'Print how a sized variant\'s memory, CPU and PVC were derived, term by term'
complete -c chartgen -n "__fish_chartgen_using_subcommand help; and not __fish_seen_subcommand_from explain new-variant fleet package plan help" -f -a "new-variant" -d 'Add a sized variant to chart-src/variants.yaml and regenerate'
complete -c chartgen -n "__fish_chartgen_using_subcommand help; and not __fish_seen_subcommand_from explain new-variant fleet package plan help" -f -a "fleet" -d 'Write a fleet\'s deployment input: one values file per instance (only what differs from its chart), a helmfile.yaml and an Argo CD ApplicationSet. With --check, write nothing and exit 1 with a diff when DIR is stale'
complete -c chartgen -n "__fish_chartgen_using_subcommand help; and not __fish_seen_subcommand_from explain new-variant fleet package plan help" -f -a "package" -d 'Package every generated chart (`helm package`) into a chart repository directory with an index.yaml. A chart version already packaged there is never replaced: a chart whose files changed without a new version fails (exit 1). With --check, write nothing and exit 1 when DIR lacks a package'
complete -c chartgen -n "__fish_chartgen_using_subcommand help; and not __fish_seen_subcommand_from explain new-variant fleet package plan help" -f -a "plan" -d 'Say what a fleet change will do, per instance: the values and objects that change and each consequence (live, rolling restart, PVC expansion, refused by Kubernetes, new, removed). Lint errors in the new fleet are reported first (exit 1)'
complete -c chartgen -n "__fish_chartgen_using_subcommand help; and not __fish_seen_subcommand_from explain new-variant fleet package plan help" -f -a "help" -d 'Print this message or the help of the given subcommand(s)'

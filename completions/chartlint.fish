complete -c chartlint -s f -l values -d 'Values file; repeat to merge several in order, as Helm does' -r -F
complete -c chartlint -l set -d 'Set a value as Helm\'s --set does (`a.b=1,c={x,y}`)' -r
complete -c chartlint -l set-string -d 'Set a string value as Helm\'s --set-string does' -r
complete -c chartlint -l each -d 'Lint each file (or every *.yaml / *.yml under each directory) on its own against the chart, after the -f files' -r -F
complete -c chartlint -l fleet -d 'Lint every instance of a fleet file as it will be installed (findings located in the fleet file), check the fleet as a whole (duplicate releases, shared Sentinel master names) and print its total memory and CPU requests' -r -F
complete -c chartlint -l root -d 'With --fleet: the repository holding chart-src/ and generated-charts/. Default: found upwards from the fleet file\'s directory, else from the current directory' -r -F
complete -c chartlint -l server-version -d 'Judge redis.conf for this server version instead of the one image.repository and image.tag name: `redis:7.2`, `redis:8.2.3`, `valkey:9` (a bare version is Redis)' -r
complete -c chartlint -l format -d 'Output format' -r -f -a "human\t''
json\t''
sarif\t''"
complete -c chartlint -l config -d 'Configuration file (default: .chartlint.yaml in the current directory, if present)' -r -F
complete -c chartlint -l color -d 'Colored human output' -r -f -a "auto\t''
always\t''
never\t''"
complete -c chartlint -l explain -d 'Print the documentation of a rule and exit' -r
complete -c chartlint -l strict -d 'Fail (exit 1) on warnings too'
complete -c chartlint -l list-rules -d 'List the rules (id, name, default severity) and exit'
complete -c chartlint -l rules-markdown -d 'Print the rule reference (docs/rules.md) and exit'
complete -c chartlint -s h -l help -d 'Print help (see more with \'--help\')'
complete -c chartlint -s V -l version -d 'Print version'

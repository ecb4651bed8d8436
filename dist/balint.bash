# bash completion for balint(1) and balintd(8).
#
# Commands, subcommands and options come from balint's own help (so they
# are always those of the installed version); group names, member names
# and note ids from the running daemon (balint complete ...).

# _balint_profile: the --home and -g given so far on the line, as words.
_balint_profile()
{
	local i
	_balint_prof=()
	for ((i = 1; i < COMP_CWORD; i++)); do
		case ${COMP_WORDS[i]} in
		--home | -g | --group)
			((i + 1 < COMP_CWORD)) &&
				_balint_prof+=("${COMP_WORDS[i]}" "${COMP_WORDS[i + 1]}")
			;;
		esac
	done
}

# _balint_names WHAT: offer balint complete WHAT's lines matching $cur.
_balint_names()
{
	local line
	while IFS= read -r line; do
		[[ $line == "$cur"* ]] && COMPREPLY+=("$(printf '%q' "$line")")
	done < <("$1" "${_balint_prof[@]}" complete "$2" 2>/dev/null)
}

_balint()
{
	local cur prev bin=${COMP_WORDS[0]} cmd= sub= i w
	cur=${COMP_WORDS[COMP_CWORD]}
	prev=${COMP_WORDS[COMP_CWORD - 1]}
	COMPREPLY=()
	_balint_profile
	# The command is the first word that is not an option or its value.
	for ((i = 1; i < COMP_CWORD; i++)); do
		w=${COMP_WORDS[i]}
		case $w in
		--home | -g | --group) ((i++)) ;;
		-*) ;;
		*)
			if [[ -z $cmd ]]; then
				cmd=$w
			elif [[ -z $sub ]]; then
				sub=$w
			fi
			;;
		esac
	done
	case $prev in
	--home | --contract | -F | --file)
		COMPREPLY=($(compgen -f -- "$cur"))
		return
		;;
	-g | --group)
		_balint_names "$bin" groups
		return
		;;
	esac
	if [[ -z $cmd ]]; then
		if [[ $cur == -* ]]; then
			COMPREPLY=($(compgen -W "--home --json -g --group --help --version" -- "$cur"))
		else
			COMPREPLY=($(compgen -W "$("$bin" help 2>/dev/null |
			    sed -n 's/^  \([a-z][a-z-]*\) .*/\1/p') help" -- "$cur"))
		fi
		return
	fi
	if [[ $cur == -* ]]; then
		COMPREPLY=($(compgen -W "$("$bin" "$cmd" --help 2>/dev/null |
		    grep -o -- '--[a-z][a-z-]*' | sort -u)" -- "$cur"))
		return
	fi
	if [[ -z $sub ]]; then
		# Subcommands: the word after the command in its usage lines.
		w=$("$bin" "$cmd" --help 2>/dev/null |
		    sed -n "s/^.*balint .*$cmd \([a-z][a-z-]*\).*/\1/p" | sort -u)
		if [[ -n $w ]]; then
			COMPREPLY=($(compgen -W "$w" -- "$cur"))
			return
		fi
	fi
	case $cmd in
	revoke) _balint_names "$bin" members ;;
	note)
		case $sub in
		show | edit | delete) _balint_names "$bin" notes ;;
		esac
		;;
	config)
		[[ $sub == get || $sub == set ]] && [[ $prev == "$sub" ]] &&
			COMPREPLY=($(compgen -W "$("$bin" config keys 2>/dev/null |
			    cut -d' ' -f1)" -- "$cur"))
		;;
	help) COMPREPLY=($(compgen -W "$("$bin" help 2>/dev/null |
	    sed -n 's/^  \([a-z][a-z-]*\) .*/\1/p')" -- "$cur")) ;;
	esac
}

_balintd()
{
	local cur=${COMP_WORDS[COMP_CWORD]} prev=${COMP_WORDS[COMP_CWORD - 1]}
	COMPREPLY=()
	case $prev in
	--home) COMPREPLY=($(compgen -d -- "$cur")); return ;;
	esac
	COMPREPLY=($(compgen -W "$("${COMP_WORDS[0]}" --help 2>/dev/null |
	    grep -o -- '--[a-z][a-z-]*' | sort -u)" -- "$cur"))
}

complete -F _balint balint
complete -F _balintd balintd

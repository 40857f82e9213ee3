# What zsh's completion system offers for a command line, through a real interactive zsh in a pty.
# Usage: zsh zsh-complete.zsh FPATH_DIR OUT_FILE 'virt-gen xml --backend '
# compadd is wrapped to append every match it is given to OUT_FILE, one per line; TAB runs the
# completion as a user's key press would. The caller reads OUT_FILE.
zmodload zsh/zpty || exit 3
zpty z zsh -f -i
zpty -w z "PROMPT='> '; fpath=(${(q)1} \$fpath); autoload -U compinit; compinit -u -D"
zpty -w z "compadd () { local -a hits; builtin compadd -O hits \"\$@\"; print -l -- \$hits >> ${(q)2}; builtin compadd \"\$@\"; }"
zpty -w z "bindkey '^I' complete-word"
zpty -n -w z "$3"$'\t'
# Wait for the completion to run (bounded), then a moment for the last compadd calls.
for i in {1..50}; do [[ -s $2 ]] && break; sleep 0.1; done
sleep 0.3
zpty -d z

# SPDX-License-Identifier: GPL-2.0
# modules.dep lines for the project's modules, which the guest sees in
# /lib/modules/<kver>/extra/.  Input: "NAME.ko DEP1,DEP2" per module (the
# "depends=" modpost wrote into it); -v dep=<stock modules.dep>.  Like
# depmod, each line lists the whole dependency closure, dependencies
# after their users: modprobe loads the list from the end.

function key(p) { sub(".*/", "", p); sub("\\.ko$", "", p); gsub("-", "_", p); return p }

# append m and everything m needs to out[]
function add(m, depth,   i, n, d) {
	if (!(m in path) || depth > 50)
		return
	out[++cnt] = path[m]
	if (m in direct) {	# one of ours: resolve its direct deps
		n = split(direct[m], d, ",")
		for (i = 1; i <= n; i++)
			add(key(d[i]), depth + 1)
	} else {		# stock: depmod already closed the list
		n = split(deps[m], d, " ")
		for (i = 1; i <= n; i++)
			out[++cnt] = d[i]
	}
}

BEGIN {
	while ((getline line < dep) > 0) {
		split(line, f, ":")
		m = key(f[1]); path[m] = f[1]
		sub("^[^:]*: ?", "", line); deps[m] = line
	}
}

{ m = key($1); path[m] = "extra/" $1; direct[m] = $2; order[++nmods] = m }

END {
	for (j = 1; j <= nmods; j++) {
		m = order[j]
		n = split(direct[m], d, ",")
		for (i = 1; i <= n; i++)
			if (!(key(d[i]) in path))
				printf "lab: module/%s.ko needs module %s, which this kernel lacks: its modprobe will fail\n",
					m, d[i] > "/dev/stderr"
		cnt = 0
		add(m, 0)
		split("", seen)
		# a module needed twice loads at its deepest place: keep the last
		for (i = cnt; i >= 2; i--)
			keep[i] = !seen[out[i]]++
		line = path[m] ":"
		for (i = 2; i <= cnt; i++)
			if (keep[i])
				line = line " " out[i]
		print line
	}
}

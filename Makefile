# SPDX-License-Identifier: GPL-2.0
#
# availcast: the kernel module and its userspace tools.
#
#   make                  availcast.ko for one kernel, and availctl
#   make module           availcast.ko only (KDIR= or KVER= picks the kernel)
#   make userspace        availctl and libavailcast, into build/userspace/
#   make check            every test: host, and each Debian kernel in qemu
#   make demo             boots a Debian kernel with the module and shows it
#   make bench            runs the benchmarks, rewrites Documentation/benchmarks.rst
#   make setup            installs what building and testing need (apt-get)
#   make debug-kernels    builds the KASAN and KCSAN kernels the tests use
#   make style            checkpatch --strict over the kernel sources
#   make sparse           sparse over the module
#   make install          installs the module, availctl, its man page and
#                         units, under PREFIX (default /usr/local); also
#                         install-module and install-userspace alone
#   make dkms-install     adds the module's sources to DKMS, which builds and
#                         installs it for each kernel with headers (KVERS=
#                         to choose) and for each one installed after
#   make dkms-remove      removes it from DKMS, for every kernel
#   make dkms-source DESTDIR=DIR
#                         copies the module's sources, as DKMS takes them,
#                         to DIR/usr/src/availcast-VERSION (for packages)
#   make docs             the HTML documentation (Sphinx), into build/docs/
#   make clean
#
# KDIR defaults to the running kernel's build directory when it has one,
# else to the installed headers of Debian 12's 6.1 kernel.

KVER ?= $(shell uname -r)
DEBIAN_61_ABI = $(firstword $(shell selftests/vm/kernels.sh 6.1.))
KDIR ?= $(if $(wildcard /lib/modules/$(KVER)/build),/lib/modules/$(KVER)/build,$(if $(DEBIAN_61_ABI),/lib/modules/$(DEBIAN_61_ABI)/build))
PREFIX ?= /usr/local
VERSION := $(shell cat VERSION)

# What DKMS needs to build the module: Kbuild and the sources it names.
DKMS_FILES := Kbuild VERSION dkms.conf $(wildcard kmod/*.[ch]) \
	      include/linux/availcast.h include/uapi/linux/availcast.h
DKMS_SRC := /usr/src/availcast-$(VERSION)

all: module userspace

kdir-exists:
	@test -n "$(KDIR)" -a -d "$(KDIR)" || { \
		echo "No kernel build directory: install your kernel's headers" \
		     "(apt-get install linux-headers-$(KVER)) or set KDIR=" >&2; \
		exit 1; }
	@test "$(KDIR)" = /lib/modules/$(KVER)/build -o "$(origin KDIR)" != file || \
		echo "Note: no headers for the running kernel $(KVER): building for" \
		     "$(KDIR), which insmod on this kernel refuses; install" \
		     "linux-headers-$(KVER) or set KDIR= or KVER=" >&2

module: kdir-exists
	$(MAKE) -C $(KDIR) M=$(CURDIR) modules

userspace:
	$(MAKE) -C userspace

setup:
	selftests/setup.sh

debug-kernels:
	selftests/setup.sh --debug-kernels

check:
	selftests/run-tests.sh

demo:
	selftests/demo.sh

bench:
	selftests/bench/run.sh

style:
	selftests/host/checkpatch.sh

sparse: kdir-exists
	$(MAKE) -C $(KDIR) M=$(CURDIR) C=2 modules

install: install-module install-userspace

# Under DESTDIR too, when one is given (kbuild's INSTALL_MOD_PATH).
install-module: module
	$(MAKE) -C $(KDIR) M=$(CURDIR) $(if $(DESTDIR),INSTALL_MOD_PATH=$(DESTDIR)) modules_install

# The units as the package has them, but for availctl's path under PREFIX:
# systemd reads PREFIX/lib/systemd/system when PREFIX is /usr/local
# (systemd.unit(5), "Unit File Load Path"). /etc/availctl is made for the
# key and the configuration, left alone when it exists.
UNITS := availctl-relay.service availctl-arbiter.service availctl-metrics.service \
	 availctl-metrics.timer

# The documents the package ships (debian/availctl.docs), which the man
# page and the examples name, there under PREFIX too.
DOC := $(PREFIX)/share/doc/availctl
USERSPACE_DOCS := $(shell cat debian/availctl.docs)

install-userspace: userspace
	install -D -m 0755 build/userspace/availctl $(DESTDIR)$(PREFIX)/sbin/availctl
	install -d -m 0755 $(DESTDIR)$(PREFIX)/share/man/man8 $(DESTDIR)$(DOC)/examples
	sed 's|/usr/share/doc/availctl|$(DOC)|g' userspace/availctl.8 \
		> $(DESTDIR)$(PREFIX)/share/man/man8/availctl.8
	@for u in $(UNITS); do \
		mkdir -p $(DESTDIR)$(PREFIX)/lib/systemd/system && \
		sed 's|/usr/sbin/availctl|$(PREFIX)/sbin/availctl|g' userspace/systemd/$$u \
			> $(DESTDIR)$(PREFIX)/lib/systemd/system/$$u || exit 1; \
	done
	@for f in availctl.conf notify.sh; do \
		sed 's|/usr/share/doc/availctl|$(DOC)|g' userspace/systemd/$$f \
			> $(DESTDIR)$(DOC)/examples/$$f || exit 1; \
	done
	install -m 0644 -t $(DESTDIR)$(DOC) $(USERSPACE_DOCS)
	install -d -m 0755 $(DESTDIR)/etc/availctl

dkms-source:
	@for f in $(DKMS_FILES); do \
		install -D -m 0644 $$f $(DESTDIR)$(DKMS_SRC)/$$f || exit 1; \
	done

# Every installed kernel that has its headers, unless KVERS= names some.
KVERS ?= $(patsubst /lib/modules/%/build,%,$(wildcard /lib/modules/*/build))

dkms-install: dkms-source
	dkms status availcast/$(VERSION) | grep -q . || dkms add availcast/$(VERSION)
	@test -n "$(KVERS)" || { echo "No kernel headers installed:" \
		"apt-get install linux-headers-$(KVER)" >&2; exit 1; }
	for k in $(KVERS); do dkms install availcast/$(VERSION) -k $$k || exit 1; done

dkms-remove:
	dkms remove availcast/$(VERSION) --all
	rm -rf $(DKMS_SRC)

docs:
	sphinx-build -W -q -b html Documentation build/docs

clean:
	-$(MAKE) -C $(KDIR) M=$(CURDIR) clean 2>/dev/null
	$(MAKE) -C userspace clean
	$(MAKE) -C selftests clean

.PHONY: all kdir-exists module userspace setup debug-kernels check demo bench style sparse \
	install-module install-userspace \
	install dkms-source dkms-install dkms-remove docs clean

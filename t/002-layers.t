#!/usr/bin/perl

# The layers of src/ (docs/architecture.md): t/check/layers.pl passes on
# the tree and on the objects nginx built from it, and fails, naming the
# file, on each kind of violation: an upward include in a copy of the
# real tree, an nginx HTTP header in core, any nginx header in media,
# a sibling include (api -> packager), an upward call between objects.
# Needs no nginx running.

use strict;
use warnings;

use Test::More;

use File::Basename qw(dirname);
use File::Path qw(make_path);
use File::Temp qw(tempdir);
use FindBin;

my $root = $ENV{SLUICE_ROOT} || dirname($FindBin::Bin);
my $check = "$root/t/check/layers.pl";
my $objs = $ENV{SLUICE_MODULES_DIR};

plan(tests => 13);

sub run_check {
    my (@args) = @_;
    my $out = `perl $check @args 2>&1`;
    return ($? >> 8, $out);
}

sub write_file {
    my ($path, $text) = @_;
    make_path(dirname($path));
    open my $fh, '>', $path or die "$path: $!\n";
    print $fh $text;
    close $fh;
}

sub copy_tree {
    my ($from, $to) = @_;
    system('cp', '-a', $from, $to) == 0 or die "cp $from $to failed\n";
}

# the tree as it is, with its objects when a build is there

my @objs = ($objs && -d "$objs/addon") ? ('--objs', $objs) : ();
my ($rc, $out) = run_check(@objs, "$root/src");
is($rc, 0, 'src/ passes the layering check') or diag($out);
like($out, qr/all pointing down/, 'summary printed');

SKIP: {
    skip 'no build (SLUICE_MODULES_DIR)', 1 unless @objs;
    like($out, qr/symbols of [1-9]\d* objects/, 'objects checked');
}

# an upward include added to a copy of the real tree

my $tmp = tempdir(CLEANUP => 1);

copy_tree("$root/src", "$tmp/src");
my $zone = "$tmp/src/core/ngx_sluice_zone.c";
open my $fh, '<', $zone or die "$zone: $!\n";
my $text = do { local $/; <$fh> };
close $fh;
$text =~ s{(#include "core/ngx_sluice_zone.h"\n)}
          {$1#include "api/ngx_http_sluice_api.h"\n}
    or die "no include to add after in $zone\n";
write_file($zone, $text);

($rc, $out) = run_check("$tmp/src");
is($rc, 1, 'upward include fails');
like($out, qr{core/ngx_sluice_zone\.c:\d+: includes "api/ngx_http_sluice_api\.h": core may not depend on api},
     'upward include named');

# small trees, one violation each

my $n = 0;

sub tree {
    my (%files) = @_;
    my $dir = "$tmp/t" . $n++;
    write_file("$dir/src/$_", $files{$_}) for keys %files;
    return "$dir/src";
}

($rc, $out) = run_check(tree(
    'core/c.c' => "#include <ngx_config.h>\n#include <ngx_http.h>\n"));
is($rc, 1, 'nginx HTTP header in core fails');
like($out, qr{core/c\.c:2: includes <ngx_http\.h>}, 'HTTP header named');

($rc, $out) = run_check(tree(
    'media/codec/x.c' => "#include <ngx_core.h>\n"));
like($out, qr{media/codec/x\.c:1: includes <ngx_core\.h>},
     'nginx header in media fails');

($rc, $out) = run_check(tree(
    'packager/p.h' => "\n",
    'api/a.c' => "#include \"packager/p.h\"\n"));
like($out, qr{api/a\.c:1: includes "packager/p\.h": api may not depend on packager},
     'sibling include fails');

($rc, $out) = run_check(tree(
    'media/manifest/m.h' => "\n",
    'media/codec/c.c' => "#include \"media/manifest/m.h\"\n"));
like($out, qr{codec may not depend on media/manifest},
     'codec including a manifest header fails');

($rc, $out) = run_check(tree('stray.c' => "\n"));
like($out, qr{stray\.c: a source file outside the layer folders},
     'file outside the layers fails');

# an upward call: core/low.o uses a function of api/high.o

SKIP: {
    my $cc = `sh -c 'command -v cc'`;
    skip 'no C compiler', 2 unless $cc;

    my $src = tree(
        'core/low.c' => "int high(void);\nint low(void) { return high(); }\n",
        'api/high.c' => "int high(void) { return 1; }\n");
    my $o = dirname($src) . '/objs/addon';
    make_path("$o/core", "$o/api");
    system('cc', '-c', "$src/core/low.c", '-o', "$o/core/low.o") == 0
        or die "cc failed\n";
    system('cc', '-c', "$src/api/high.c", '-o', "$o/api/high.o") == 0
        or die "cc failed\n";

    ($rc, $out) = run_check('--objs', dirname($o), $src);
    is($rc, 1, 'upward call fails');
    like($out, qr{core/low\.c: calls or uses high of api/high\.c},
         'upward call named');
}

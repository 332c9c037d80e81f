#!/usr/bin/perl

# The reference documentation matches the code (t/check/docs.pl): every
# directive has its section in docs/directives.md and every router
# collection and action a route in docs/api.md, and the other way round.
# The check passes on the tree and fails on copies of the docs with a
# directive section removed, a section without its Context line, a
# route segment the router does not know, and a route removed.
# Needs no nginx running.

use strict;
use warnings;

use Test::More;

use File::Basename qw(dirname);
use File::Temp qw(tempdir);
use FindBin;

my $root = $ENV{SLUICE_ROOT} || dirname($FindBin::Bin);
my $check = "$root/t/check/docs.pl";

plan(tests => 10);

sub slurp {
    my ($f) = @_;
    open my $fh, '<', $f or die "$f: $!\n";
    local $/;
    return scalar <$fh>;
}

sub run_check {
    my ($docs) = @_;
    my $out = `perl $check $root/src $docs 2>&1`;
    return ($? >> 8, $out);
}

# docs with one change made by $edit to the file $name

sub edited {
    my ($name, $edit) = @_;
    my $dir = tempdir(CLEANUP => 1);
    for my $f ('directives.md', 'api.md') {
        my $text = slurp("$root/docs/$f");
        if ($f eq $name) {
            local $_ = $text;
            $edit->() or die "edit of $f did not apply\n";
            $text = $_;
        }
        open my $fh, '>', "$dir/$f" or die "$dir/$f: $!\n";
        print $fh $text;
        close $fh;
    }
    return $dir;
}

my ($rc, $out) = run_check("$root/docs");
is($rc, 0, 'docs match the code') or diag($out);
like($out, qr/\d+ directives, \d+ collections, \d+ actions/, 'summary');

($rc, $out) = run_check(edited('directives.md', sub {
    s/^### sluice_live_window\n.*?(?=^##)//ms }));
is($rc, 1, 'a directive without a section fails');
like($out, qr/directive sluice_live_window is not documented/, 'named');

($rc, $out) = run_check(edited('directives.md', sub {
    s/^(### sluice_zone\n.*?)^\s+Context:[^\n]*\n/$1/ms }));
like($out, qr/"sluice_zone" has no "Context:" line/,
     'a section without its Context line fails');

($rc, $out) = run_check(edited('directives.md', sub {
    s/^### sluice_zone$/### sluice_zone\n\n    Syntax: sluice_nothing;\n    Default: -\n    Context: http\n\n### sluice_nothing/m }));
like($out, qr/documents sluice_nothing, which the code does not have/,
     'a section of no directive fails');

($rc, $out) = run_check(edited('api.md', sub {
    s{^(\s+GET \{base\}/liveEvents\?)}{    GET {base}/liveChannels/{name}?api-version=...\n$1}m }));
is($rc, 1, 'an unknown route segment fails');
like($out, qr/documents the segment "liveChannels"/, 'named');

($rc, $out) = run_check(edited('api.md', sub {
    s{^\s+POST\s+\{base\}/streamingLocators/\{name\}/listPaths[^\n]*\n}{}mg }));
is($rc, 1, 'a route removed fails');
like($out, qr/no route has the segment "listPaths"/, 'named');

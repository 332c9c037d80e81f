#!/usr/bin/perl

# Copyright (C) 2026, The Sluice authors.
#
# The layering check: the folders of src/ are layers, and dependencies
# point down only (docs/architecture.md, "Layers").
#
#   layers.pl [--objs DIR] SRC_DIR
#
# Every #include "x/y.h" of a file under SRC_DIR must name a header of
# its own layer or of a lower one; a layer never includes a sibling of
# the same rank (api, packager and ingest know nothing of each other).
# src/util and src/media include no nginx header at all, src/core no
# nginx HTTP, RTMP or stream header.  With --objs (the nginx build's
# objs/ directory), calls are checked too: no object file of a layer
# uses a symbol defined by an object of a higher or sibling layer.
#
# Prints one line per violation and exits 1 when there is any, else
# prints a summary and exits 0.

use strict;
use warnings;

use File::Find;
use Getopt::Long;

my $objs;
GetOptions('objs=s' => \$objs) or die "usage: $0 [--objs DIR] SRC_DIR\n";
my $src = shift or die "usage: $0 [--objs DIR] SRC_DIR\n";
$src =~ s{/+$}{};

# rank of each layer, lowest first; equal ranks are siblings
my %rank = (
    'util'            => 0,
    'media'           => 1,     # sluice_media.h, buf, url
    'media/codec'     => 2,
    'media/transcode' => 2,     # encoding ladder rules (sluice-transcoder)
    'media/container' => 3,
    'media/signal'    => 3.5,   # ad markers: above container (AMF),
                                # below manifest (whose writers print them)
    'media/manifest'  => 4,
    'media/crypto'    => 4,     # above container: its box writers
    'core'            => 10,
    'ingest'          => 20,
    'api'             => 20,
    'packager'        => 20,
    'keys'            => 20,    # key delivery (sluice_key_delivery)
    'transcoder'      => 20,
);

# nginx headers a layer must not include
my %forbidden = (
    'util'            => qr/^ngx_/,
    'media'           => qr/^ngx_/,
    'core'            => qr/^ngx_(http|rtmp|stream)/,
);

my (@bad, %layer_of_file, $nfiles, $nincs, $nobjs);

sub layer {
    my ($rel) = @_;                 # path relative to src/
    my @p = split m{/}, $rel;
    pop @p;                         # the file name
    return undef unless @p;
    my $l = $p[0];
    $l = "$p[0]/$p[1]" if $l eq 'media' && @p > 1;
    return $l;
}

sub base_layer {
    my ($l) = @_;
    $l =~ s{/.*}{};
    return $l;
}

find({ no_chdir => 1, wanted => sub {
    return unless /\.[ch]$/;
    my $rel = substr($File::Find::name, length($src) + 1);
    my $l = layer($rel);

    if (!defined $l) {
        push @bad, "$rel: a source file outside the layer folders";
        return;
    }

    if (!exists $rank{$l}) {
        push @bad, "$rel: unknown layer \"$l\" (add it to t/check/layers.pl)";
        return;
    }

    $layer_of_file{$rel} = $l;
    $nfiles++;

    open my $fh, '<', $File::Find::name or die "$File::Find::name: $!\n";
    while (my $line = <$fh>) {
        next unless $line =~ /^\s*#\s*include\s*([<"])([^>"]+)[>"]/;
        my ($q, $inc) = ($1, $2);
        $nincs++;

        if ($q eq '<') {
            my $f = $forbidden{base_layer($l)} // $forbidden{$l};
            push @bad, "$rel:$.: includes <$inc> (no such nginx header in"
                . " $l)" if $f && $inc =~ $f;
            next;
        }

        my $target = layer($inc);
        if (!defined $target || !-f "$src/$inc") {
            push @bad, "$rel:$.: includes \"$inc\": not a path relative to"
                . " src/ of an existing header";
            next;
        }

        next if $target eq $l;

        if (!exists $rank{$target} || $rank{$target} >= $rank{$l}) {
            push @bad, "$rel:$.: includes \"$inc\": $l may not depend on"
                . " $target";
        }
    }
    close $fh;
}}, $src);

if (defined $objs) {
    check_symbols($objs);
}

if (@bad) {
    print "layers: $_\n" for @bad;
    print "layers: " . scalar(@bad) . " violation(s)\n";
    exit 1;
}

printf "layers: %d files, %d includes%s, all pointing down\n",
    $nfiles, $nincs,
    defined $objs ? " and the symbols of $nobjs objects" : '';
exit 0;


# symbols: an object's undefined symbols must not be defined above it

sub check_symbols {
    my ($dir) = @_;
    my (%layer_of_base, %defined_in, %undef_of);

    # nginx builds src/x/y/z.c into objs/addon/y/z.o: a leftover object of
    # a file moved elsewhere is in another folder and is not looked at

    for my $rel (keys %layer_of_file) {
        next unless $rel =~ m{(?:^|/)([^/]+)/([^/]+)\.c$};
        $layer_of_base{$2} = [$layer_of_file{$rel}, $rel, $1];
    }

    my @o;
    find({ no_chdir => 1, wanted => sub {
        return unless m{/([^/]+)/([^/]+)\.o$} && $layer_of_base{$2}
                      && $layer_of_base{$2}[2] eq $1;
        push @o, $File::Find::name;
    }}, $dir);

    push @bad, "no object files of src/ under $dir (build first)" unless @o;
    $nobjs = @o;

    for my $o (@o) {
        my ($base) = $o =~ m{/([^/]+)\.o$};
        open my $nm, '-|', 'nm', $o or die "nm $o: $!\n";
        while (<$nm>) {
            if (/^\s+U\s+(\S+)/) {
                push @{$undef_of{$base}}, $1;
            } elsif (/^[0-9a-f]+\s+[BCDGRSTVW]\s+(\S+)/) {
                $defined_in{$1} = $base;
            }
        }
        close $nm;
    }

    for my $base (sort keys %undef_of) {
        my ($l, $rel) = @{$layer_of_base{$base}};
        for my $sym (@{$undef_of{$base}}) {
            my $def = $defined_in{$sym} or next;
            my ($dl, $drel) = @{$layer_of_base{$def}};
            next if $dl eq $l || $rank{$dl} < $rank{$l};
            push @bad, "$rel: calls or uses $sym of $drel ($l may not"
                . " depend on $dl)";
        }
    }
}

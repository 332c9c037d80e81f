#!/usr/bin/perl

# Durability, the order (docs/architecture.md, "Durability"): nginx runs
# under strace while resources of every type are created, changed and
# deleted through the API and a stream is recorded into an asset; from
# the trace, every API file the answer acknowledged was fsync()ed under
# its temporary name, renamed, and its directory fsync()ed before the
# answer was written to the socket; every deletion had its directory
# fsync()ed before its answer; every archive index record was written
# after its fragment was synced (fdatasync, rename, live directory
# fsync), linked into the asset and the slot directory fsync()ed.

use strict;
use warnings;

use Test::More;
use Time::HiRes ();
use File::Basename qw(dirname);
use Cwd ();
use JSON::PP ();

use FindBin;
use lib "$FindBin::Bin/lib";
use Test::Sluice;
use Sluice::Record;

my $t = Test::Sluice->new();
$t->has_program('ffmpeg', 'strace');

my $dir = Cwd::realpath($t->testdir);
my $data = "$dir/data";
my $trace = "$dir/strace.out";

Sluice::Record::config($t, ring => 16);
$t->strace($trace, join(',', qw(write writev sendfile fsync fdatasync
    rename renameat renameat2 link linkat unlink unlinkat pwrite64)));
$t->run();

# every API write: when it was sent, when its answer came
my @calls;

sub call {
    my ($method, $path, $body, $what) = @_;
    my $t0 = Time::HiRes::time();
    my $r = $t->api($method => $path, $body);
    my $t1 = Time::HiRes::time();
    push @calls, { what => $what, t0 => $t0, t1 => $t1,
        status => $r->{status}, method => $method };
    return $r;
}

###############################################################################
# resources of every type, an update, deletions, a recording

my $token = 'c' x 32;
my $r = call(PUT => 'liveEvents/dur1', { location => 'here',
    properties => { input => { streamingProtocol => 'RTMP',
        accessToken => $token, keyFrameIntervalDuration => 'PT2S',
        accessControl => { ip => { allow => [ { name => 'all',
            address => '0.0.0.0', subnetPrefixLength => 0 } ] } } } } },
    'live event');
is($r->{status}, 201, 'live event created');
ok($t->wait_for(sub {
    ($t->api(GET => 'liveEvents/dur1')->{json}{properties}{resourceState}
        // '') eq 'Stopped' }, 20), 'live event settled');
is(call(POST => 'liveEvents/dur1/start', undef, 'start')->{status}, 202,
    'start');
ok($t->wait_for(sub {
    ($t->api(GET => 'liveEvents/dur1')->{json}{properties}{resourceState}
        // '') eq 'Running' }, 20), 'running');
is(call(PATCH => 'liveEvents/dur1', { properties => {
    description => 'changed' } }, 'live event update')->{status}, 200,
    'live event updated');

$r = call(PUT => 'assets/rec', { properties => {} }, 'asset');
is($r->{status}, 201, 'asset');
my $asset_id = $r->{json}{properties}{assetId} // '';

$r = call(PUT => 'liveEvents/dur1/liveOutputs/out1', { properties => {
    assetName => 'rec', archiveWindowLength => 'PT10M',
    manifestName => 'out1' } }, 'live output');
is($r->{status}, 201, 'live output');
ok($t->wait_for(sub {
    ($t->api(GET => 'liveEvents/dur1/liveOutputs/out1')->{json}{properties}
        {resourceState} // '') eq 'Running' }, 20), 'output running');

is(call(PUT => 'streamingPolicies/clear', { properties => { noEncryption =>
    { enabledProtocols => { download => JSON::PP::false(),
      dash => JSON::PP::true(), hls => JSON::PP::true(),
      smoothStreaming => JSON::PP::false() } } } }, 'streaming policy')
    ->{status}, 201, 'streaming policy');
is(call(PUT => 'streamingLocators/loc1', { properties => {
    assetName => 'rec', streamingPolicyName => 'clear' } },
    'streaming locator')->{status}, 201, 'streaming locator');
is(call(PUT => 'streamingLocators/loc2', { properties => {
    assetName => 'rec',
    streamingPolicyName => 'Predefined_ClearStreamingOnly' } },
    'streaming locator 2')->{status}, 201, 'second locator');
is(call(PUT => 'accountFilters/af1', { properties => { presentationTimeRange
    => { timescale => 10000000, startTimestamp => 0 } } },
    'account filter')->{status}, 201, 'account filter');
is(call(PUT => 'assets/rec/assetFilters/f1', { properties => {
    presentationTimeRange => { timescale => 10000000,
        startTimestamp => 0 } } }, 'asset filter')->{status}, 201,
    'asset filter');
is(call(PUT => 'contentKeyPolicies/ckp1', { properties => { options => [ {
    name => 'o1', configuration => { '@odata.type' =>
        '#Microsoft.Media.ContentKeyPolicyClearKeyConfiguration' },
    restriction => { '@odata.type' =>
        '#Microsoft.Media.ContentKeyPolicyOpenRestriction' } } ] } },
    'content key policy')->{status}, 201, 'content key policy');
is(call(PUT => 'streamingEndpoints/se1', { location => 'here',
    properties => { scaleUnits => 0 } }, 'streaming endpoint')->{status},
    201, 'streaming endpoint');
is(call(DELETE => 'streamingLocators/loc2', undef, 'locator deletion')
    ->{status}, 200, 'locator deleted');

my $av = Sluice::Ingest::fixture('av', duration => 20, gop => 2,
    size => '320x180', vbitrate => '300k', abitrate => '64k');
my $pub = $t->publish(input => $av, realtime => 0,
    url => 'rtmp://127.0.0.1:' . $t->port(1935) . "/live/$token/s");
$t->wait_publisher_exit($pub, 60);

my $last = -1;
$t->wait_for(sub {
    my $n = 0;
    $n += @{$_->{records}} for Sluice::Record::slots("$data/assets/$asset_id");
    my $done = $n == $last && $n > 0;
    $last = $n;
    return $done;
}, 60, 1);

my @slots = Sluice::Record::slots("$data/assets/$asset_id");
is(scalar @slots, 2, 'two recorded slots');

$t->stop();

###############################################################################
# the trace

my $ev = Test::Sluice->parse_strace($trace);
ok(@$ev > 100, 'trace read') or diag(scalar @$ev);

# the path of an fd argument (strace -y): 5</a/b>
sub fd_path {
    my ($args) = @_;
    return $args =~ /^\d+<([^>]*)>/ ? $1 : '';
}

sub quoted {
    my ($args) = @_;
    return $args =~ /"((?:[^"\\]|\\.)*)"/g;
}

sub ok_call { $_[0]{ret} =~ /^\d+/ && $_[0]{ret} !~ /^-1/ }

my (@fsync, @datasync, @rename, @answers, @link, @pwrite, @unlink);

for my $e (@$ev) {
    next unless ok_call($e);
    my $c = $e->{call};
    if ($c eq 'fsync') {
        push @fsync, { %$e, path => fd_path($e->{args}) };
    } elsif ($c eq 'fdatasync') {
        push @datasync, { %$e, path => fd_path($e->{args}) };
    } elsif ($c =~ /^rename/) {
        my @p = quoted($e->{args});
        push @rename, { %$e, from => $p[0], to => $p[1] };
    } elsif ($c =~ /^link/) {
        my @p = quoted($e->{args});
        push @link, { %$e, from => $p[0], to => $p[1] };
    } elsif ($c =~ /^unlink/) {
        my @p = quoted($e->{args});
        push @unlink, { %$e, path => $p[0] };
    } elsif ($c eq 'pwrite64') {
        my ($off) = $e->{args} =~ /,\s*(\d+)\s*,\s*(\d+)$/ ? ($2) : ();
        push @pwrite, { %$e, path => fd_path($e->{args}), off => $off };
    } elsif ($c =~ /^(write|writev|sendfile)$/
             && $e->{args} =~ /^\d+<(?:TCP|socket:)/
             && $e->{args} =~ /HTTP\/1\.1 (\d+)/)
    {
        push @answers, { %$e, status => $1 };
    }
}

ok(@answers >= @calls, 'answers seen on the sockets')
    or diag(scalar(@answers) . ' answers');

# the first event of @$list matching f between times a and b
sub first_in {
    my ($list, $a, $b, $f) = @_;
    for my $e (@$list) {
        next if $e->{t} < $a;
        last if $e->{t} > $b;
        return $e if $f->($e);
    }
    return;
}

sub last_in {
    my ($list, $a, $b, $f) = @_;
    my $found;
    for my $e (@$list) {
        next if $e->{t} < $a;
        last if $e->{t} > $b;
        $found = $e if $f->($e);
    }
    return $found;
}

for my $c (@calls) {
    my $answer = first_in(\@answers, $c->{t0}, $c->{t1},
        sub { $_[0]{status} =~ /^20/ });

    unless ($answer) {
        fail("$c->{what}: its answer in the trace");
        next;
    }

    if ($c->{method} eq 'DELETE') {
        my $u = last_in(\@unlink, $c->{t0}, $answer->{t},
            sub { $_[0]{path} =~ m{^\Q$data\E/api/.*\.json$} });
        ok($u, "$c->{what}: file unlinked before the answer");
        next unless $u;
        my $d = dirname($u->{path});
        ok(first_in(\@fsync, $u->{t}, $answer->{t},
                sub { $_[0]{path} eq $d && $_[0]{te} < $answer->{t} }),
            "$c->{what}: directory synced after the unlink, before the "
            . 'answer');
        next;
    }

    my @rn = grep { $_->{t} >= $c->{t0} && $_->{t} <= $answer->{t}
        && $_->{to} =~ m{^\Q$data\E/api/.*\.json$} } @rename;
    ok(@rn, "$c->{what}: a file renamed before the answer")
        or next;

    for my $rn (@rn) {
        my $name = $rn->{to};
        $name =~ s{^\Q$data\E/}{};
        my $fs = last_in(\@fsync, $c->{t0}, $rn->{t},
            sub { $_[0]{path} eq $rn->{from} && $_[0]{te} <= $rn->{t} });
        ok($fs, "$c->{what}: $name: temporary file synced before the "
            . 'rename');
        my $d = dirname($rn->{to});
        my $ds = first_in(\@fsync, $rn->{te}, $answer->{t},
            sub { $_[0]{path} eq $d && $_[0]{t} >= $rn->{te}
                  && $_[0]{te} <= $answer->{t} });
        ok($ds, "$c->{what}: $name: directory synced after the rename, "
            . 'before the answer');
    }
}

# every index record: its fragment synced, linked, the slot synced first

for my $s (@slots) {
    my $index = "$s->{dir}/index";
    $index =~ s{//+}{/}g;
    my $sdir = dirname($index);
    my @pw = grep { $_->{path} eq $index } @pwrite;
    is(scalar @pw, scalar @{$s->{records}},
        "slot $s->{slot}: one pwrite per record");

    my ($bad, $n) = (0, 0);

    for my $p (@pw) {
        my $rec = $s->{records}[int($p->{off} / 32)] or next;
        $n++;
        my $frag = "$sdir/$rec->{time}.m4s";
        my $ln = last_in(\@link, 0, $p->{t}, sub { $_[0]{to} eq $frag });
        my $why;

        if (!$ln) {
            $why = 'no link';
        } else {
            my $live = $ln->{from};
            my $rn = last_in(\@rename, 0, $ln->{t},
                sub { $_[0]{to} eq $live && $_[0]{te} <= $ln->{t} });
            my $ds = $rn && last_in(\@datasync, 0, $rn->{t},
                sub { $_[0]{path} eq $rn->{from}
                      && $_[0]{te} <= $rn->{t} });
            my $ld = $rn && first_in(\@fsync, $rn->{te}, $ln->{t},
                sub { $_[0]{path} eq dirname($live)
                      && $_[0]{te} <= $ln->{t} });
            my $sd = first_in(\@fsync, $ln->{te}, $p->{t},
                sub { $_[0]{path} eq $sdir && $_[0]{te} <= $p->{t} });

            $why = !$rn ? 'live file not renamed before its link'
                 : !$ds ? 'live file not synced before its rename'
                 : !$ld ? 'live directory not synced before the link'
                 : !$sd ? 'slot directory not synced between the link '
                          . 'and the record'
                 : undef;
        }

        if ($why) {
            diag("slot $s->{slot}, fragment $rec->{time}: $why")
                if $bad++ < 3;
        }
    }

    ok($n >= 5, "slot $s->{slot}: records checked") or diag($n);
    is($bad, 0, "slot $s->{slot}: every record after its fragment's "
        . 'fdatasync, rename, live directory fsync, link and slot fsync');

    # the descriptor: synced and renamed, the slot synced before a record
    my $tr = first_in(\@rename, 0, 9e12,
        sub { $_[0]{to} eq "$sdir/track" });
    ok($tr && last_in(\@datasync, 0, $tr->{t},
            sub { $_[0]{path} eq "$sdir/track.tmp" }),
        "slot $s->{slot}: descriptor synced before its rename");
    my $p0 = $pw[0];
    ok($tr && $p0 && first_in(\@fsync, $tr->{te}, $p0->{t},
            sub { $_[0]{path} eq $sdir }),
        "slot $s->{slot}: slot directory synced between the descriptor "
        . 'and the first record');
}

done_testing();

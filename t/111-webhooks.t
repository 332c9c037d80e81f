#!/usr/bin/perl

# Event notifications (sluice_event_webhook) and the JSON log
# (sluice_json_log).  Receivers are small HTTP servers of this test:
#
#   A  Event Grid schema, every type: EncoderConnected, two
#      IncomingStreamReceived and EncoderDisconnected in order for an
#      ffmpeg push, the live event's state changes, heartbeats; then A is
#      down: a second push comes and goes, worker 0 fails to deliver its
#      events (pending), nginx reloads (the old workers leave at once), a
#      third push comes and goes; once back, A gets everything, stream
#      events and the heartbeats of the outage, in order, none missing
#      (stream events are numbered zone-wide: A's numbers have no gap),
#      from a worker of the new generation.  Last, A takes a POST and
#      never answers: a reload with that POST in flight does not wait for
#      it, and the new worker 0 sends the same events again
#   B  CloudEvents 1.0, two types only
#   C  answers 500: retried with a growing delay, nothing moves
#
# nginx -t refuses a malformed URL and https.  The JSON log: every line
# is JSON, API requests with method, path, status, identity and request
# id, no key; ingest events with their names.

use strict;
use warnings;

use Test::More;
use IO::Socket::INET ();
use JSON::PP ();
use POSIX ();
use Time::HiRes qw(time);
use Time::Local ();

use FindBin;
use lib "$FindBin::Bin/lib";
use Test::Sluice;

my $t = Test::Sluice->new();
$t->has_program('ffmpeg');

my $dir = $t->testdir;
my %port = (A => $t->port(9101), B => $t->port(9102), C => $t->port(9103));

my $hooks = join("\n",
    'sluice_event_webhook http://127.0.0.1:%%PORT_9101%%/hook/a?code=1 '
        . 'batch=8;',
    'sluice_event_webhook http://127.0.0.1:%%PORT_9102%%/ schema=cloudevents '
        . 'events=EncoderConnected,'
        . 'Microsoft.Media.LiveEventEncoderDisconnected;',
    'sluice_event_webhook http://localhost:%%PORT_9103%% events=StateChange '
        . 'timeout=2s;',
    'sluice_json_log json.log;',
    'sluice_heartbeat_interval 2s;', '');

###############################################################################
# bad URLs: nginx -t says so

for my $bad ('https://127.0.0.1/x', 'ftp://h/', 'http://', '"http://a b/"',
    'http://127.0.0.1:99999/', 'http://127.0.0.1/ schema=xml',
    'http://127.0.0.1/ events=Nope')
{
    $t->write_sluice_conf(http => "sluice_event_webhook $bad;");
    my ($rc, $out) = $t->nginx_t();
    ok($rc != 0 && $out =~ /\[emerg\].*(?:webhook|parameter|event type)/,
        "nginx -t refuses sluice_event_webhook $bad")
        or diag($out);
}

$t->write_sluice_conf(http => $hooks);
my ($rc, $out) = $t->nginx_t();
is($rc, 0, 'nginx -t takes the webhooks') or diag($out);

###############################################################################
# receivers

my %recv;

sub receiver_start {
    my ($name, $code) = @_;

    my $srv = IO::Socket::INET->new(LocalAddr => '127.0.0.1',
        LocalPort => $port{$name}, Listen => 16, ReuseAddr => 1)
        or die "receiver $name: $!";

    my $pid = fork() // die "fork: $!";

    if ($pid == 0) {
        open my $log, '>>', "$dir/recv-$name.log" or POSIX::_exit(1);
        $log->autoflush(1);

        # code "hang": the request read and logged, never answered
        my @held;

        while (my $c = $srv->accept()) {
            local $/ = "\r\n\r\n";
            my $head = <$c> // next;
            my ($len) = $head =~ /^Content-Length:\s*(\d+)/mi;
            my ($ct) = $head =~ /^Content-Type:\s*([^\r\n]*)/mi;
            my ($line) = $head =~ /^([^\r\n]*)/;
            my $body = '';
            while (length($body) < ($len // 0)) {
                my $n = read($c, $body, $len - length($body), length($body));
                last unless $n;
            }
            print $log JSON::PP->new->canonical->encode({
                time => time(), code => $code, ct => $ct // '',
                line => $line, body => $body }), "\n";
            if ($code eq 'hang') {
                push @held, $c;
                next;
            }
            print $c "HTTP/1.1 $code X\r\nContent-Length: 0\r\n"
                . "Connection: close\r\n\r\n";
            close $c;
        }

        POSIX::_exit(0);
    }

    close $srv;
    $recv{$name} = $pid;
}

sub receiver_stop {
    my ($name) = @_;

    my $pid = delete $recv{$name} or return;
    kill 'KILL', $pid;
    waitpid($pid, 0);
}

$t->on_cleanup(sub { receiver_stop($_) for keys %recv });

# every request of a receiver: { time, code, ct, line, events => [...] }
sub requests {
    my ($name) = @_;

    open my $fh, '<', "$dir/recv-$name.log" or return [];
    my @r;
    while (<$fh>) {
        my $r = eval { JSON::PP::decode_json($_) } or next;
        $r->{events} = eval { JSON::PP::decode_json($r->{body}) };
        push @r, $r;
    }
    return \@r;
}

# the events a receiver answered 2xx for, first delivery of each id
sub delivered {
    my ($name) = @_;

    my (%seen, @e);
    for my $r (@{requests($name)}) {
        next unless $r->{code} =~ /^2/ && ref $r->{events} eq 'ARRAY';
        push @e, grep { !$seen{$_->{id}}++ } @{$r->{events}};
    }
    return \@e;
}

sub types {
    return map { (my $x = $_->{eventType} // $_->{type}) =~
                 s/^Microsoft\.Media\.LiveEvent//; $x } @_;
}

sub stream_events {
    return grep { ($_->{eventType} // '') !~ /IngestHeartbeat$/ } @_;
}

# { pid => 1 } of nginx's worker processes now
sub workers {
    my $m = $t->pid() or return {};
    my %w;
    for (`ps -o pid=,args= --ppid $m`) {
        $w{$1} = 1 if /^\s*(\d+)\s+nginx: worker process/;
    }
    return \%w;
}

# seconds since the epoch of an RFC 3339 UTC time
sub iso_s {
    my ($s) = @_;
    my ($y, $mo, $d, $h, $mi, $sec) =
        ($s // '') =~ /^(\d+)-(\d+)-(\d+)T(\d+):(\d+):(\d+(?:\.\d+)?)/
        or return 0;
    return Time::Local::timegm(0, $mi, $h, $d, $mo - 1, $y) + $sec;
}

sub log_tail {
    my $l = $t->read_file('error.log') // '';
    return substr($l, -3000);
}

# the stream event number in an id (its last 16 hex digits)
sub seq_of {
    my ($id) = @_;
    (my $h = $id) =~ s/-//g;
    return hex(substr($h, 16));
}

receiver_start(A => 200);
receiver_start(B => 200);
receiver_start(C => 500);

$t->expect_errors(
    qr/\[emerg\].*(?:webhook URL|invalid parameter "|unknown event type)/);
$t->run();

my $rtmp = 'rtmp://127.0.0.1:' . $t->port(1935);
my $allow = [ { name => 'all', address => '0.0.0.0',
                subnetPrefixLength => 0 } ];
my $tok = '5eb5eb5eb5eb5eb5eb5eb5eb5eb5eb51';

ok($t->create_live_event('hook1', token => $tok,
    input => { accessControl => { ip => { allow => $allow } } }),
    'hook1 running') or BAIL_OUT('no live event');

###############################################################################
# a push: A gets connected, received (audio, video), disconnected, in order

my $pub = $t->publish(lavfi => { duration => 5, vbitrate => '500k',
                                 abitrate => '96k', gop => 2 },
                      url => "$rtmp/live/$tok/s1");
ok(defined $t->wait_publisher_exit($pub, 30), 'first push done');

my $first = $t->wait_for(sub {
    my @e = stream_events(@{delivered('A')});
    return (grep { /EncoderDisconnected/ } types(@e)) ? \@e : undef;
}, timeout => 15, what => 'EncoderDisconnected at A');

my @t1 = types(@{$first // []});
my @ingest = grep { /^(?:EncoderConnected|IncomingStreamReceived|
                          EncoderDisconnected)$/x } @t1;
is("@ingest", 'EncoderConnected IncomingStreamReceived '
    . 'IncomingStreamReceived EncoderDisconnected', 'A: ingest events in order')
    or diag("@t1");
ok((grep { $_ eq 'StateChange' } @t1) >= 2, 'A: state changes (start)');

my ($conn) = grep { ($_->{eventType} // '') =~ /EncoderConnected$/ }
    @{$first // []};
$conn //= {};
is($conn->{subject}, 'liveEvent/hook1', 'Event Grid subject');
like($conn->{topic}, qr{^/providers/Microsoft\.Media/mediaservices/},
    'Event Grid topic');
like($conn->{id}, qr/^[0-9a-f]{8}-(?:[0-9a-f]{4}-){3}[0-9a-f]{12}$/,
    'Event Grid id');
like($conn->{eventTime}, qr/^\d{4}-\d\d-\d\dT\d\d:\d\d:\d\d(?:\.\d+)?Z$/,
    'Event Grid eventTime');
is($conn->{dataVersion}, '1.0', 'dataVersion');
is($conn->{metadataVersion}, '1', 'metadataVersion');
is($conn->{data}{streamId}, 's1', 'EncoderConnected: streamId');
is($conn->{data}{encoderIp}, '127.0.0.xxx', 'EncoderConnected: encoderIp');
like($conn->{data}{encoderPort}, qr/^\d+$/, 'EncoderConnected: encoderPort');
unlike($conn->{data}{ingestUrl} // '', qr/\Q$tok\E/,
    'ingestUrl without the access token');

my ($recv) = grep { ($_->{eventType} // '') =~ /IncomingStreamReceived$/ }
    @{$first // []};
my $rd = ($recv // {})->{data} // {};
like($rd->{trackType}, qr/^(?:audio|video)$/, 'StreamReceived: trackType');
like($rd->{trackName}, qr/^(?:audio|video)_\d+$/, 'StreamReceived: trackName');
like($rd->{timescale}, qr/^\d+$/, 'StreamReceived: timescale');
like($rd->{timestamp}, qr/^\d+$/, 'StreamReceived: timestamp');

my ($disc) = grep { ($_->{eventType} // '') =~ /EncoderDisconnected$/ }
    @{$first // []};
ok(defined(($disc // {})->{data}{resultCode}),
    'EncoderDisconnected: resultCode');

my @beats = grep { ($_->{eventType} // '') =~ /IngestHeartbeat$/ }
    @{delivered('A')};
ok(@beats >= 2, 'A: heartbeats') or diag(scalar @beats);
my $bd = ($beats[0] // {})->{data} // {};
ok(exists $bd->{$_}, "heartbeat: $_") for qw(trackType trackName bitrate
    incomingBitrate lastTimestamp timescale overlapCount discontinuityCount
    nonincreasingCount unexpectedBitrate state healthy ingestDriftValue);

my $ra = requests('A');
is($ra->[0]{line}, 'POST /hook/a?code=1 HTTP/1.1', 'A: the request line');
is($ra->[0]{ct}, 'application/json', 'A: Content-Type');
ok(!(grep { @{$_->{events} // []} > 8 } @$ra), 'A: batches of 8 at most');

###############################################################################
# B: CloudEvents, the types asked for only

my $ce = $t->wait_for(sub {
    my @e = @{delivered('B')};
    return @e >= 2 ? \@e : undef;
}, timeout => 10, what => 'two CloudEvents at B') // [];

is(join(' ', map { $_->{type} } @$ce),
    'Microsoft.Media.LiveEventEncoderConnected '
    . 'Microsoft.Media.LiveEventEncoderDisconnected', 'B: the types asked for');
my $c0 = $ce->[0] // {};
is($c0->{specversion}, '1.0', 'CloudEvents specversion');
like($c0->{source}, qr{/mediaservices/}, 'CloudEvents source');
is($c0->{subject}, 'liveEvent/hook1', 'CloudEvents subject');
ok($c0->{id} && $c0->{time}, 'CloudEvents id, time');
is(($c0->{data} // {})->{streamId}, 's1', 'CloudEvents data');
like((requests('B')->[0] // {})->{ct}, qr{^application/cloudevents-batch\+json},
    'CloudEvents batch Content-Type');

###############################################################################
# A down: a push, its events pending in worker 0; a reload; a push after
# it; A back: everything, in order, delivered by the new generation

my $hook_a = qr{webhook "http://127\.0\.0\.1:\d+/hook/a\?code=1"};

receiver_stop('A');
my $down = time();
my $from = $t->log_offset();

$pub = $t->publish(lavfi => { duration => 4, vbitrate => '500k',
                              abitrate => '96k', gop => 2 },
                   url => "$rtmp/live/$tok/s2");
ok(defined $t->wait_publisher_exit($pub, 30), 'second push done');

# the push's last event raised, and worker 0 failed to send it: pending
my $ended = $t->wait_for(sub {
    my $r = $t->api(POST => 'liveEvents/hook1/getStreamEvents', {},
        query => 'api-version=2022-11-01');
    my @d = grep { $_->{eventType} eq 'StreamEvent/EndIngest'
                   && ($_->{data}{streamName} // '') eq 's2' }
        @{($r->{json} // {})->{value} // []};
    return scalar @d;
}, timeout => 10, what => 'the EndIngest of s2');
ok($ended, 'the second push ended, A still down');
my $pending = $t->wait_log(qr/$hook_a: delivery failed/, from => $from,
    timeout => 10);
ok($pending, 'worker 0 could not deliver: the events are pending')
    or diag(log_tail());

my %old = %{workers()};
ok(%old, 'workers before the reload: ' . join(' ', sort keys %old));

ok($t->reload(), 'reload while A is down, events pending');
ok($t->wait_for(sub { !grep { kill 0, $_ } keys %old },
    timeout => 10, what => 'the old workers gone'),
    'the old workers left at once');
my %new = %{workers()};

# a third push, raised under the new workers, A still down
$pub = $t->publish(lavfi => { duration => 3, vbitrate => '500k',
                              abitrate => '96k', gop => 2 },
                   url => "$rtmp/live/$tok/s3");
ok(defined $t->wait_publisher_exit($pub, 30), 'third push done');

$t->wait_for(sub { time() - $down >= 10 }, timeout => 15, interval => 0.2);
my $up = time();
my $from_up = $t->log_offset();
receiver_start(A => 200);

my $all = $t->wait_for(sub {
    my @e = stream_events(@{delivered('A')});
    my @c = grep { /EncoderDisconnected/ } types(@e);
    return @c >= 3 ? \@e : undef;
}, timeout => 25, what => 'the third EncoderDisconnected at A') // [];

my @t2 = grep { /^(?:EncoderConnected|IncomingStreamReceived|
                     EncoderDisconnected)$/x } types(@$all);
is("@t2", join(' ', ('EncoderConnected IncomingStreamReceived '
    . 'IncomingStreamReceived EncoderDisconnected') x 3),
    'A after its outage: the pushes before and after the reload too, in '
    . 'order') or diag("@t2");

for my $s (qw(s2 s3)) {
    my @e = grep { ($_->{data}{streamId} // '') eq $s } @$all;
    is(join(' ', types(@e)), 'EncoderConnected IncomingStreamReceived '
        . 'IncomingStreamReceived EncoderDisconnected',
        "A: the events of the push ($s) it missed");
}

my @seq = map { seq_of($_->{id}) } @$all;
my @sorted = sort { $a <=> $b } @seq;
is("@seq", "@sorted", 'A: in number order');
is(scalar(@seq), $sorted[-1] - $sorted[0] + 1, 'A: no number missing')
    or diag("@seq");
is($sorted[0], 1, 'A: from the first');

# Event Grid, as before the outage
my ($late) = grep { ($_->{data}{streamId} // '') eq 's2' } @$all;
$late //= {};
ok($late->{id} && $late->{topic} && $late->{subject} eq 'liveEvent/hook1'
    && $late->{eventTime} && $late->{dataVersion} eq '1.0'
    && $late->{metadataVersion} eq '1'
    && $late->{eventType} =~ /^Microsoft\.Media\.LiveEvent/,
    'A: the late events in the Event Grid schema') or diag(explain($late));

# the heartbeats of the outage (windows that ended while A was down)
my @outage = grep { my $s = iso_s($_->{eventTime});
                    $s > $down + 1 && $s < $up - 1 }
    grep { ($_->{eventType} // '') =~ /IngestHeartbeat$/ } @{delivered('A')};
ok(@outage >= 2, 'A: the heartbeats of its outage (' . scalar(@outage)
    . ')');

# delivered by the new worker 0: it logs the failures it went through
my ($by) = $t->_log_from($from_up)
    =~ /(\d+)#\d+: [^\n]*$hook_a: delivered again after/;
ok($by && $new{$by} && !$old{$by},
    'A: delivered by a worker of the new generation (' . ($by // '-')
    . ')') or diag(log_tail());

my @fails = grep { $_->{code} != 200 } @{requests('A')};
is(scalar @fails, 0, 'A: only 2xx answers');

###############################################################################
# a reload with a POST in flight: A takes it and never answers

receiver_stop('A');
receiver_start(A => 'hang');
my $held_from = scalar @{requests('A')};

ok($t->create_live_event('hook2', token => '6eb6eb6eb6eb6eb6eb6eb6eb6eb6eb61',
    input => { accessControl => { ip => { allow => $allow } } }),
    'hook2 running: state changes to deliver');

my $held = $t->wait_for(sub {
    my @r = @{requests('A')};
    my @h = grep { grep { $_->{subject} eq 'liveEvent/hook2' }
                        @{$_->{events} // []} } @r[$held_from .. $#r];
    return @h ? $h[0] : undef;
}, timeout => 10, what => 'a POST of hook2\'s events held by A');
ok($held, 'A holds a POST, unanswered');

%old = %{workers()};
my $hup = time();
ok($t->reload(), 'reload with the POST in flight');
ok($t->wait_for(sub { !grep { kill 0, $_ } keys %old },
    timeout => 8, what => 'the old workers gone'),
    'the old workers did not wait for the POST ('
    . sprintf('%.1f', time() - $hup) . ' s; its timeout: 10 s)');

receiver_stop('A');
receiver_start(A => 200);

my @ids = map { $_->{id} } grep { $_->{subject} eq 'liveEvent/hook2' }
    @{($held // {})->{events} // []};
my $again = $t->wait_for(sub {
    my %d = map { $_->{id} => 1 } @{delivered('A')};
    return (@ids && !grep { !$d{$_} } @ids) ? 1 : undef;
}, timeout => 15, what => 'the held events delivered');
ok($again, 'the new worker 0 sent the held events again (' . scalar(@ids)
    . ', same ids)');

###############################################################################
# C answers 500: tried again, later and later

my $tries = $t->wait_for(sub {
    my $r = requests('C');
    return @$r >= 4 ? $r : undef;
}, timeout => 20, what => 'four tries at C') // [];

my @gap = map { $tries->[$_]{time} - $tries->[$_ - 1]{time} } 1 .. $#$tries;
ok(@gap >= 3 && $gap[2] > $gap[0] * 1.5, 'C: backoff grows')
    or diag("@gap");
is($tries->[0]{events}[0]{eventType}, $tries->[-1]{events}[0]{eventType},
    'C: the same batch again');
is($tries->[0]{events}[0]{id}, $tries->[-1]{events}[0]{id},
    'C: the same ids again');
ok($t->wait_log(qr/webhook "http:\/\/localhost:\d+": delivery failed/,
    what => 'the failure logged'), 'C: the failure logged');

###############################################################################
# the JSON log

my $log = $t->wait_for(sub {
    my $l = $t->read_file('json.log') // '';
    return $l =~ /"liveEvent":"hook1"/ && $l =~ /"s2"/ ? $l : undef;
}, timeout => 10, what => 'ingest lines in json.log') // '';

my @lines = split /\n/, $log;
my @bad = grep { !eval { JSON::PP::decode_json($_); 1 } } @lines;
is(scalar @bad, 0, 'every line of json.log is JSON') or diag($bad[0]);
my @json = map { eval { JSON::PP::decode_json($_) } // {} } @lines;

my @api = grep { ($_->{kind} // '') eq 'api' } @json;
ok(@api >= 2, 'json.log: API requests');
my ($put) = grep { $_->{method} eq 'PUT' } @api;
$put //= {};
is($put->{event}, 'ApiRequest', 'api: event name');
like($put->{path}, qr{/liveEvents/hook1$}, 'api: path');
like($put->{status}, qr/^20[01]$/, 'api: status');
like($put->{requestId}, qr/^[0-9a-f]{32}$/, 'api: request id');
is($put->{identity}, 'sluice', 'api: identity');
is($put->{identityType}, 'Key', 'api: identityType');

my $key = $t->api_key;
unlike($log, qr/\Q$key\E/, 'json.log: no API key');
unlike($log, qr/\Q$tok\E/, 'json.log: no access token');

my @ing = grep { ($_->{kind} // '') eq 'ingest' } @json;
my %names = map { $_->{event} => 1 } @ing;
ok($names{"Microsoft.Media.LiveEvent$_"}, "json.log: $_")
    for qw(EncoderConnected IncomingStreamReceived EncoderDisconnected
           StateChange);
my @iseq = map { $_->{seq} } @ing;
is(scalar(@iseq), scalar(keys %{{ map { $_ => 1 } @iseq }}),
    'json.log: each ingest event once (across the reload)');

# the cursors on disk (written by a writer in the thread pool): whole,
# the zone's epoch, no temporary file left
my $nd = $t->testdir . '/data/notify';
my @cursors = glob("$nd/*.cursor");
ok(@cursors >= 2, 'cursors: the webhooks\' and the JSON log\'s: '
    . scalar(@cursors));
for my $c (@cursors) {
    my $text = $t->read_file($c) // '';
    like($text, qr/^\d+ [1-9]\d* \d+\n\z/,
        'cursor ' . ($c =~ s{.*/}{}r) . ': epoch, a moved sequence, mark');
}
ok(!glob("$nd/*.tmp"), 'cursors: no temporary file left');

$t->done_testing();

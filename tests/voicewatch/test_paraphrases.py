"""Generalisation check: wordings that do NOT appear in the shared corpus.

Each case is one customer turn after a bot question, with realistic voice features
for its kind (angry callers are agitated, hesitant callers pause). The monitor must
escalate for the expected reason, or keep the bot for routine turns. These phrases
were written independently of the corpus to catch lexicons that only fit its wording.
"""

from __future__ import annotations

import pytest

from voicewatch import CallMonitor, Policy

CALM = {"energy_z": 0.1, "pitch_z": -0.2, "rate_z": 0.1}
AGITATED = {"energy_z": 2.4, "pitch_z": 2.0, "rate_z": 1.7}
LOUD_HAPPY = {"energy_z": 2.4, "pitch_z": 0.6, "rate_z": 0.9}
HESITANT = {"energy_z": -0.4, "pitch_z": -0.1, "rate_z": -1.1}

REGULAR = {"order_value": 2999, "currency": "INR", "customer_tier": "regular", "language": "en-IN"}
HIGH_VALUE = {"order_value": 89999, "currency": "INR", "customer_tier": "regular", "language": "en-IN"}
PREMIUM = {"order_value": 7999, "currency": "INR", "customer_tier": "premium", "language": "en-IN"}


def decide(text: str, prosody: dict = CALM, context: dict = REGULAR, silence: float = 0.6,
           asr: float = 0.9):
    monitor = CallMonitor(Policy.default(), context)
    monitor.observe({"type": "bot", "text": "Can you confirm the order and the delivery address?"})
    return monitor.observe({"type": "utterance", "text": text, "asr_confidence": asr, "prosody": prosody,
                            "silence_before_s": silence})


ANGER = [
    "I've had it with your stupid reminders!",
    "Mera dimaag mat khao!",
    "Unbelievable! Every day the same call!",
    "Jab dekho call kar dete ho, ghatiya log!",
    "Kya bakwaas laga rakha hai!",
    "Tumhe samajh nahi aata ek baar mein?",
    "I'm so irritated with you people right now!",
    "You call me at ten at night? Have you lost your mind?",
    "This is the third time you've called today, knock it off!",
    "I'm done with this nonsense!",
    "Don't you people ever stop calling?",
    "You guys are a joke!",
    "Quit calling me, I'm not interested!",
    "What is wrong with you people?",
    "I told you a hundred times!",
    "Kya tamasha hai yeh!",
    "Roz roz ka natak band karo!",
    "Ek baar mein samajh nahi aata kya?",
    "Aap log pagal ho gaye ho kya!",
    "Bahut ho gaya, ab bas!",
    "Sar dard ho gaya tumhare calls se!",
    "Bekaar ki baatein mat karo!",
    "Kitna pareshan karoge?",
    "This is ridiculous, you people call me every single day!",
    "What nonsense is this, I have told you ten times already!",
    "I am fed up with your calls, don't call me again!",
    "You're wasting my time, I'm so angry right now!",
    "Why do you keep calling me? This is so annoying!",
    "Kya bakwas hai yeh, roz roz call karte ho!",
    "Dimaag mat khao, phone rakho!",
    "Pagal ho kya, kitni baar bolun!",
    "Tumhari service ekdum ghatiya hai!",
    "Mujhe bahut gussa aa raha hai ab!",
    "Har din call, tang aa gaya hoon main!",
    "Absolutely useless service, I'm done with you!",
    "Bas karo yaar, bahut ho gaya!",
    "Are you deaf? I said no!",
    "Faltu ka call mat karo!",
    "Oh my god, this is the worst company ever!",
]

HUMAN = [
    "Connect me to someone who can help.",
    "Could you put me through to an operator?",
    "Real person please.",
    "I prefer speaking to a human agent.",
    "Can I please talk to a live person?",
    "Yeh machine se baat nahi karunga, kisi ko bulao.",
    "Mujhe aapse nahi, kisi aadmi se baat karni hai.",
    "Kisi agent ko call transfer karo.",
    "Manager ko phone do.",
    "Mujhe kisi real person se baat karni hai.",
    "Koi insaan se baat karwa dijiye please.",
    "Aapke kisi executive se baat karwa do.",
    "Give me your manager.",
    "Let me speak to someone in charge.",
    "I need help from an actual person.",
    "Transfer me to a real agent please.",
    "Can you get your supervisor on the line?",
    "I would like to talk to a human, not a bot.",
    "Please connect me to customer support.",
    "Kisi senior ko line pe lao.",
    "Customer service representative please.",
    "Mujhe kisi asli insaan se baat karni hai, robot se nahi.",
    "Can a person call me back instead of this robot?",
    "I want someone from your team to call me.",
    "Please let me speak to a real human.",
    "Transfer this call to someone who can actually help.",
    "I need to talk to a supervisor right now.",
    "Put a real person on the phone.",
    "Can you connect me with customer service?",
    "Is there someone I can speak to?",
    "Main kisi bande se baat karna chahta hoon.",
    "Aapke senior se baat karao.",
    "Koi asli aadmi hai kya?",
    "Mujhe call center ke executive se baat karni hai.",
    "Human se baat karwao please.",
    "I'd rather talk to a person.",
    "I want to speak to someone from customer care.",
    "Please transfer me to an agent.",
    "Can I speak with your manager?",
    "Get me a human being on the line.",
    "I don't want to talk to a machine.",
    "Is there a real person I can talk to?",
    "Let me talk to a representative.",
    "Kisi aadmi se baat karao.",
    "Agent se baat karni hai mujhe.",
    "Customer care wale se connect kar do.",
    "Mujhe robot se baat nahi karni.",
    "Please connect me to a live agent.",
    "Executive se baat karwa dijiye.",
]

NEGOTIATION = [
    "Penalty hata do toh aaj hi de dunga.",
    "Salary aane do, phir bharunga.",
    "Aadhi payment abhi, aadhi baad mein.",
    "EMI thodi kam kar do na.",
    "Agle hafte tak ruk jao, tab tak kar dunga.",
    "Late fee waive ho sakti hai kya?",
    "Abhi itne paise nahi hain, thoda time chahiye.",
    "Kya main do hisson mein payment kar sakta hoon?",
    "Money is tight this month, give me some time.",
    "Can you remove the penalty charges?",
    "I don't have enough money right now, can I pay later?",
    "Can we push the due date to the 25th?",
    "I can do two thousand now, the remaining next week.",
    "I'd like to settle for a lower amount.",
    "Can you give me some relief on the interest?",
    "Is it possible to postpone this month's payment?",
    "Could I pay the EMI in parts?",
    "I can't pay this month, my salary is delayed.",
    "Byaaj maaf ho sakta hai kya?",
    "Partial payment kar sakta hoon abhi.",
    "Is baar thoda kam le lo.",
    "Kuch discount milega kya?",
    "Can you give me 10 more days?",
    "Only half is possible right now.",
    "I lost some money this month, can I pay next month instead?",
    "Can the EMI be reduced?",
    "Could you split this into smaller payments?",
    "Can I get an extension till the end of the month?",
    "Half now, half later, is that okay?",
    "I can't afford the full EMI right now.",
    "Any chance you could drop the late fee?",
    "Mere paas abhi poore paise nahi hain.",
    "Aadhe paise abhi de deta hoon, baaki 15 tareekh ko.",
    "Late fee hata do please.",
    "EMI thodi aage kar sakte ho?",
    "Payment ke liye ek hafta aur chahiye.",
    "Due date badha dijiye.",
    "Can I pay in two installments?",
    "I need some more time, can you extend the due date by a week?",
    "Is there any way to reduce the penalty?",
    "I can pay five thousand now and the rest after my salary comes.",
    "I'm short on money this month, can we do something?",
    "Thoda time de do, salary aane ke baad bhar dunga.",
    "Penalty maaf kar do toh abhi payment kar deta hoon.",
    "Kya EMI kam ho sakti hai?",
    "Do kishton mein de sakta hoon kya?",
    "Is mahine paise nahi hain, agle mahine dunga.",
    "Can you waive the interest if I pay today?",
    "I won't be able to pay the full amount this month.",
]

LEGAL = [
    "My advocate will send you a notice.",
    "Main vakeel ke through notice bhejunga.",
    "I'll report this harassment to the police.",
    "Consumer forum mein shikayat karunga.",
    "I am going to file a case against you.",
    "I'm calling my lawyer.",
    "Expect a legal notice from me.",
    "I'll drag you to consumer court.",
    "I will lodge a police complaint.",
    "I'm reporting this to the cyber crime cell.",
    "Main aapke khilaaf case darj karunga.",
    "Court mein milte hain.",
    "Vakeel se baat karunga is baare mein.",
    "I'll take you to court over this.",
    "I am going to report you to the RBI.",
    "I'll file an FIR against your company.",
    "You'll be hearing from my advocate.",
    "I'm going to sue you people.",
    "Main consumer forum mein case karunga.",
    "Police mein report likhwaunga.",
    "Legal notice bhejunga aapki company ko.",
    "I will complain to the banking ombudsman.",
]

DISTRESS = [
    "Mere husband ka accident ho gaya hai.",
    "I'm a senior citizen, I live alone and I'm confused by all this.",
    "Business band ho gaya hai, bahut mushkil chal raha hai.",
    "Papa hospital mein admit hain, abhi paise nahi hain.",
    "Main bahut bimaar hoon, bistar pe hoon.",
    "Meri naukri chhoot gayi, kuch samajh nahi aa raha.",
    "Ghar mein ek death ho gayi hai.",
    "Meri maa ka operation hai kal.",
    "Please, I'm going through a divorce and I'm very stressed.",
    "My house got flooded and we lost everything.",
    "I'm not well, I've just come back from the hospital.",
    "My wife is undergoing chemotherapy.",
    "I'm unemployed since March, things are really hard.",
    "My father died last week and I'm handling everything alone.",
    "Bahut mushkil mein hoon, naukri nahi hai.",
    "I've been diagnosed with cancer.",
    "Meri wife ki delivery hai, hospital mein hoon.",
    "Mera beta guzar gaya, please abhi call mat karo.",
    "My child is very sick, we are at the hospital.",
    "I'm a widow and I have no income now.",
    "My wife is very sick and we are in hospital.",
    "I have lost my husband, please don't call now.",
    "We are in a very bad situation, my business has shut down.",
    "I'm having a panic attack, I can't do this.",
    "Mere pati ka dehant ho gaya hai.",
    "Beta hospital mein admit hai.",
    "Naukri chhoot gayi hai, kuch samajh nahi aa raha.",
    "Main bahut tension mein hoon, meri maa bimaar hai.",
    "My mother passed away last week, I can't deal with this right now.",
    "I'm in the hospital, my husband had a heart attack.",
    "I was laid off last month and I have no income.",
    "Mere papa ICU mein hain, abhi baat nahi kar sakta.",
    "Meri job chali gayi, ghar chalana mushkil ho gaya hai.",
    "Main bahut pareshani mein hoon, ghar mein koi bimaar hai.",
    "I'm going through a really tough time, I can't cope.",
    "My son met with an accident yesterday.",
]

FRAUD = [
    "Maine yeh loan liya hi nahi.",
    "I didn't buy this phone.",
    "This charge is fraudulent.",
    "Ye paise maine nahi bheje.",
    "Mera account kisi ne hack kar liya.",
    "I never ordered this, who placed it?",
    "I never authorised this payment.",
    "Someone else placed this order using my name.",
    "This isn't my order, I think my account is compromised.",
    "I don't recognise this transaction at all.",
    "Ye order mera nahi hai.",
    "Kisi ne mere naam pe order kiya hai.",
    "Mere card se galat transaction hua hai.",
    "I think this is a fraudulent charge.",
    "Money was debited without my permission.",
    "I didn't order anything, this must be a scam.",
    "Somebody has misused my card, I never made this purchase.",
    "This transaction is not mine.",
    "My account was hacked, I didn't authorize this.",
    "Maine koi order nahi kiya, yeh galat hai.",
    "Mere account se kisi aur ne order kiya hai.",
    "I was charged twice for the same order.",
    "I never took any loan from you.",
]

LANGUAGE = [
    "Gujarati aavde che?",
    "Mala marathi madhe sanga.",
    "Naaku telugu matrame vachu.",
    "Tamil only please, no English.",
    "Please Kannada.",
    "Bengali te bolben?",
    "Only Kannada gottu.",
    "Marathi yet nahi ka?",
    "Malayalam mein bolo.",
    "Please Telugu.",
    "Tamil theriyuma? Tamil la pesunga.",
    "Hindi nahi aati, Tamil mein bolo.",
    "I can't understand, speak in Telugu.",
    "Please talk in Malayalam.",
    "English not good, Marathi please.",
    "Can someone speak Odia?",
    "Telugu lo matladandi please.",
    "Can you speak in Bengali?",
    "Sorry, no English, Tamil only.",
    "Punjabi vich gal karo ji.",
    "I only speak Kannada.",
    "Bangla te bolun.",
    "Gujarati ma vaat karo.",
]

HIGH_VALUE_CHANGE = [
    "Quantity do kar dijiye.",
    "Dusre address pe bhej do.",
    "Model upgrade karna hai.",
    "Iske saath extended warranty add kar do.",
    "Delivery Monday ko kar do, date badal do.",
    "Colour change kar dijiye, red chahiye.",
    "Mujhe iska size badalwana hai.",
    "Can you deliver it next Monday instead of this week?",
    "I'd like to include the installation service.",
    "Could you add a second unit to this order?",
    "Please change it to the 8 GB RAM version.",
    "I want to modify my order.",
    "Can I get it in silver instead?",
    "Address badalna hai, naye ghar pe bhejo.",
    "Please add the extended warranty.",
    "Iske saath insurance bhi chahiye.",
    "Delivery ka time change karna hai.",
    "Can I upgrade to the next model?",
    "I'd like a different colour, blue instead of black.",
    "Can you change the delivery date to Sunday?",
    "I want the 512 GB one instead of 256.",
    "Please upgrade it to the latest model.",
    "Add one more unit to the order.",
    "Change the address to my parents' place.",
    "Model change karna hai.",
    "Delivery date aage kar do.",
    "Mujhe doosra colour chahiye.",
    "Warranty add kar dijiye.",
    "Can I change the colour to black?",
    "I'd like to add extended warranty to this order.",
    "Deliver it to my office address instead.",
    "Size badal dijiye, large chahiye.",
    "Can you switch it to the pro model?",
    "Please make it the bigger variant instead.",
]

VIP = [
    "Mera refund abhi tak nahi aaya.",
    "Delivery teen din late aayi thi.",
    "Main premium member hoon aur service bahut kharab hai.",
    "Pichle order mein galat item aaya tha.",
    "Har baar koi na koi problem hoti hai aapke saath.",
    "I'm unhappy with how my complaint was handled.",
    "The delivery was delayed by a week again.",
    "My last order was missing an item.",
    "Your app keeps failing and nobody fixes it.",
    "As a premium customer I expected much better than this.",
    "I'm really disappointed with your delivery service.",
    "Delivery har baar late hoti hai, bahut bura experience hai.",
    "Aapki service se bilkul khush nahi hoon.",
    "The product I got last time was defective.",
    "This is the fourth time my order is delayed.",
    "I've been waiting two weeks and nobody has updated me.",
    "I'm a gold member and the service has been terrible lately.",
    "Three times my delivery got delayed, this is not acceptable.",
    "I have complained twice and nobody called back.",
    "Your delivery boy was rude to me last time.",
    "Main aapka purana customer hoon, har baar delay hota hai.",
    "Pichli baar saaman toota hua aaya tha.",
    "I've been your customer for ten years and this delay is really disappointing.",
    "My order came damaged last time and nobody responded to my complaint.",
    "Har baar delivery late hoti hai, main premium member hoon.",
    "The last two orders were wrong items, I expect better service.",
]

AMBIGUITY = [
    ("Kya pata... shayad kar doon.", 2.5),
    ("Haan... lekin... pata nahi.", 2.5),
    ("Ho sakta hai... pata nahi.", 2.5),
    ("Sochke bataunga.", 2.5),
    ("Pakka nahi keh sakta...", 2.5),
    ("Haan... dekhte hain.", 2.5),
    ("Er... let me get back to you.", 2.5),
    ("I don't know, my husband handles this.", 2.5),
    ("Hmm, possibly... I need to check.", 2.5),
    ("Maybe, I'll see.", 2.5),
    ("I'm not sure I can commit to that.", 2.5),
    ("Theek hai... par sochna padega.", 2.5),
    ("Okay... I guess.", 2.5),
    ("Abhi bata nahi sakta...", 2.5),
    ("Uh... I don't really know.", 2.5),
    ("Haan... shayad.", 2.5),
    ("Dekhta hoon... pata nahi.", 2.5),
    ("I'll have to think... maybe.", 2.5),
    ("Hmm... not sure yet.", 2.5),
    ("I'm not really sure... maybe.", 2.2),
    ("Let me see... I don't know.", 2.5),
    ("Hmm, I'll think about it.", 2.4),
    ("Possibly, but I can't say for sure.", 2.0),
    ("Pata nahi yaar... dekhte hain.", 2.6),
    ("Haan... nahi... matlab pata nahi.", 2.9),
    ("Shayad kar dunga... pakka nahi.", 2.2),
    ("Abhi decide nahi kiya...", 2.4),
    ("Uh... I guess so?", 2.3),
    ("Yes... I mean... maybe.", 2.5),
    ("Umm... I'm not sure, let me think about it.", 2.4),
    ("I don't know... maybe later.", 2.2),
    ("Haan... shayad... pata nahi.", 2.6),
    ("Dekhenge... abhi kuch keh nahi sakta.", 2.3),
    ("Probably... I'll have to check with my husband.", 2.5),
    ("Theek hai...", 2.8),
    ("Well, I suppose so... not really sure.", 2.1),
    ("Hmm... ho sakta hai.", 2.7),
]

ROUTINE = [
    ("It's for my daughter's birthday, please deliver on time.", CALM, HIGH_VALUE),
    ("Okay, payment link mil gaya.", CALM, REGULAR),
    ("Kitne baje aayega delivery?", CALM, REGULAR),
    ("Can I pay by card on delivery?", CALM, REGULAR),
    ("Do I need to be at home for the delivery?", CALM, REGULAR),
    ("Will the delivery be in the morning?", CALM, REGULAR),
    ("Please send the receipt after payment.", CALM, REGULAR),
    ("Yes, sorry, I was on another call. Go ahead.", CALM, REGULAR),
    ("Arre wah, finally! Haan bhej do!", LOUD_HAPPY, PREMIUM),
    ("Haan haan, sab theek hai.", CALM, REGULAR),
    ("Yes, I've been a customer for years, no problem.", CALM, PREMIUM),
    ("Same model, same colour, all fine.", CALM, HIGH_VALUE),
    ("Please deliver on Saturday as scheduled.", CALM, HIGH_VALUE),
    ("Sure, no issues at all, thanks.", CALM, PREMIUM),
    ("Theek hai, note kar lo.", CALM, REGULAR),
    ("Thik hai, kar do.", CALM, REGULAR),
    ("Theek hai ji.", CALM, REGULAR),
    ("Theek hai.", CALM, REGULAR),
    ("Awaaz cut ho rahi hai.", CALM, REGULAR),
    ("Kya bola aapne?", CALM, REGULAR),
    ("Sorry, I didn't catch that.", CALM, REGULAR),
    ("Kal subah phone karna.", CALM, REGULAR),
    ("Driving right now, talk later.", CALM, REGULAR),
    ("Abhi busy hoon, shaam ko call karna.", CALM, REGULAR),
    ("I'm in a meeting, call me back.", CALM, HIGH_VALUE),
    ("Can you call me after 7?", CALM, REGULAR),
    ("Sahi hai bhai, shor hai yahan, confirm karo!", LOUD_HAPPY, REGULAR),
    ("Yes! Confirm! I'm in traffic, sorry for shouting!", LOUD_HAPPY, HIGH_VALUE),
    ("HAAN HAAN, BHEJ DO!", LOUD_HAPPY, REGULAR),
    ("Don't worry, I'm not annoyed.", CALM, PREMIUM),
    ("Main upset nahi hoon, bas jaldi kijiye.", CALM, REGULAR),
    ("I'm not angry, just confirm quickly.", CALM, PREMIUM),
    ("Not a problem, go ahead.", CALM, REGULAR),
    ("Koi problem nahi hai ji.", CALM, PREMIUM),
    ("No problem, it's fine.", CALM, REGULAR),
    ("Haan, landmark sahi hai.", CALM, REGULAR),
    ("Haan, isi number pe call karna.", CALM, REGULAR),
    ("Yes, the courier can call me on this number.", CALM, REGULAR),
    ("Landmark is right, near the market.", CALM, REGULAR),
    ("Yes, pincode is correct.", CALM, REGULAR),
    ("Already paid via UPI.", CALM, REGULAR),
    ("Payment ho jayega.", CALM, REGULAR),
    ("I have auto-debit set up.", CALM, REGULAR),
    ("Yes, note the 15th.", CALM, REGULAR),
    ("Note kar lijiye.", CALM, REGULAR),
    ("Link bhej do, abhi kar deta hoon.", CALM, REGULAR),
    ("Haan, time pe kar dunga.", CALM, REGULAR),
    ("Sure, I'll pay by then.", CALM, REGULAR),
    ("Yes, I'll pay before the due date.", CALM, REGULAR),
    ("Correct, the address is right.", CALM, REGULAR),
    ("Haan, cash ready rakhunga.", CALM, REGULAR),
    ("I'll pay online.", CALM, HIGH_VALUE),
    ("COD chalega.", CALM, REGULAR),
    ("Cash on delivery is fine.", CALM, REGULAR),
    ("Yes, deliver it to the same address.", CALM, HIGH_VALUE),
    ("Ji, mera hi order hai.", CALM, REGULAR),
    ("Haan, maine order kiya tha.", CALM, HIGH_VALUE),
    ("Yes that's my order.", CALM, PREMIUM),
    ("Yes, I placed it.", CALM, HIGH_VALUE),
    ("Please call my husband, he handles payments.", CALM, REGULAR),
    ("Sorry, I was busy. Yes, correct.", CALM, REGULAR),
    ("Haan, theek hai, dhanyavaad.", CALM, PREMIUM),
    ("Bilkul, koi problem nahi.", CALM, REGULAR),
    ("Yes I want it delivered as planned.", CALM, HIGH_VALUE),
    ("Ok, I'll keep the cash ready.", CALM, REGULAR),
    ("Kitna amount hai?", CALM, REGULAR),
    ("What is the due date?", CALM, REGULAR),
    ("Can you tell me the amount again?", CALM, REGULAR),
    ("Please send the details on SMS.", CALM, REGULAR),
    ("Haan, wahi number hai.", CALM, REGULAR),
    ("Right, okay.", CALM, REGULAR),
    ("Yes, that is my number.", CALM, REGULAR),
    ("Sure, go ahead, thank you for the reminder.", CALM, PREMIUM),
    ("I'll make the payment tonight.", CALM, REGULAR),
    ("Theek hai, 10 tareekh ko kar dunga payment.", CALM, REGULAR),
    ("Yes, the colour and model are correct.", CALM, HIGH_VALUE),
    ("The order is fine as it is, no modifications.", CALM, HIGH_VALUE),
    ("Haan ji, aap bhej dijiye.", CALM, REGULAR),
    ("Yes, please go ahead with the delivery.", CALM, REGULAR),
    ("Acha, haan, theek hai.", CALM, REGULAR),
    ("Hmm, yes, that's right.", CALM, REGULAR),
    ("Wait a minute... okay, yes, the pincode is correct.", CALM, REGULAR),
    ("Ji, boliye.", CALM, REGULAR),
    ("Haan bolo, sun raha hoon.", CALM, REGULAR),
    ("Sorry, I was in the bathroom. Yes, correct.", CALM, REGULAR),
    ("Yes, it's correct, I'm a regular customer.", CALM, PREMIUM),
    ("Yes, I'm the account holder.", CALM, REGULAR),
    ("Okay, I understand, thank you.", CALM, REGULAR),
    ("Please deliver in the evening, I'm at work during the day.", CALM, HIGH_VALUE),
    ("Mera payment ho chuka hai, check kar lijiye.", CALM, REGULAR),
    ("I have already paid, you can check.", CALM, REGULAR),
    ("Sure, please send the link on WhatsApp.", CALM, REGULAR),
    ("Yes, I'll pay on the 15th as usual.", CALM, REGULAR),
    ("Ha ha, yes yes, I'm driving, but go ahead and confirm!", LOUD_HAPPY, PREMIUM),
    ("Everything is fine, thank you for calling.", CALM, PREMIUM),
    ("Yes the delivery date is fine, no change needed.", CALM, HIGH_VALUE),
    ("Haan sahi hai, wahi address hai.", CALM, HIGH_VALUE),
    ("Theek hai, kar lo note", CALM, REGULAR),
    ("Haan theek hai", CALM, REGULAR),
    ("Thik hai ji", CALM, REGULAR),
    ("Theek hai, bhej dijiye", CALM, REGULAR),
    ("Huh? What did you say?", CALM, REGULAR),
    ("Call me tomorrow please.", CALM, REGULAR),
    ("Abhi gaadi chala raha hoon, baad mein baat karte hain.", CALM, REGULAR),
    ("I'm in a meeting, call back in an hour.", CALM, HIGH_VALUE),
    ("Can you call after lunch?", CALM, REGULAR),
    ("Haha yes, I'm at a wedding, it's loud, confirm!", LOUD_HAPPY, REGULAR),
    ("Haan haan bhai, sab sahi hai!", LOUD_HAPPY, REGULAR),
    ("YES! Finally! Send it!", LOUD_HAPPY, REGULAR),
    ("No complaints, thanks.", CALM, PREMIUM),
    ("Main gussa nahi hoon, jaldi bataiye.", CALM, REGULAR),
    ("Not angry, just tell me quickly.", CALM, PREMIUM),
    ("I'm not annoyed, just busy.", CALM, REGULAR),
    ("Problem nahi hai, bhej do.", CALM, REGULAR),
    ("Nahi nahi, koi dikkat nahi hai.", CALM, REGULAR),
    ("No issues, go ahead.", CALM, REGULAR),
    ("No problem, you can send it.", CALM, REGULAR),
    ("Yes, that's my address, go ahead.", CALM, HIGH_VALUE),
    ("Ji bilkul, kar dijiye.", CALM, REGULAR),
    ("I'm not upset, it's fine.", CALM, PREMIUM),
    ("No worries, send it.", CALM, REGULAR),
    ("Haan haan, koi dikkat nahi.", LOUD_HAPPY, REGULAR),
    ("YES, CONFIRMED!", LOUD_HAPPY, REGULAR),
    ("Please call tomorrow morning.", CALM, HIGH_VALUE),
    ("Kal subah call kar lena.", CALM, REGULAR),
    ("Correct, pincode is right.", CALM, REGULAR),
    ("OK thanks, bye.", CALM, REGULAR),
    ("Accha ji, theek hai.", CALM, REGULAR),
    ("Payment ho jayega, tension mat lo.", CALM, REGULAR),
    ("I'll pay on time, no problem.", CALM, REGULAR),
    ("Haan, maine hi order kiya hai.", CALM, REGULAR),
    ("Yes it's me who ordered, please deliver.", CALM, HIGH_VALUE),
    ("Sure thing!", LOUD_HAPPY, REGULAR),
    ("Haan ji, pakka.", CALM, PREMIUM),
    ("It's a gift for my mother, please deliver on time.", CALM, HIGH_VALUE),
    ("My father will receive it, he is at home.", CALM, REGULAR),
    ("I already paid yesterday, please check.", CALM, REGULAR),
    ("No problem, go ahead and confirm.", CALM, REGULAR),
    ("I'm not angry, just in a hurry, yes confirm it.", CALM, REGULAR),
    ("Haan bhai, bhej do link!", LOUD_HAPPY, REGULAR),
    ("Yes yes, correct, sorry I'm shouting, it's noisy here!", LOUD_HAPPY, REGULAR),
    ("Call me later, I'm in a meeting.", CALM, REGULAR),
    ("Baad mein call karna, abhi office mein hoon.", CALM, REGULAR),
    ("Theek hai.", CALM, REGULAR),
    ("Theek hai, kar do.", CALM, REGULAR),
    ("Haan theek hai ji.", CALM, REGULAR),
    ("Okay, no issues.", CALM, REGULAR),
    ("Koi baat nahi, bhej dijiye.", CALM, REGULAR),
    ("Not a problem at all.", CALM, REGULAR),
    ("I'm not upset at all, thank you.", CALM, PREMIUM),
    ("Yes, the address is the same, no changes.", CALM, HIGH_VALUE),
    ("Yes, I will pay by the 10th.", CALM, REGULAR),
    ("Sure, send me the payment link.", CALM, REGULAR),
    ("Great, thanks a lot!", LOUD_HAPPY, REGULAR),
    ("Bilkul sahi hai.", CALM, PREMIUM),
    ("Ha ha, yes, finally you called!", LOUD_HAPPY, PREMIUM),
    ("Kal tak payment kar dunga.", CALM, REGULAR),
    ("Can you call me back after six? I'm driving.", CALM, HIGH_VALUE),
    ("I'm busy right now, call me in the evening.", CALM, PREMIUM),
    ("Okay okay, fine.", CALM, REGULAR),
    ("Yes please, deliver it to the same address.", CALM, HIGH_VALUE),
    ("Hello? Yes, I can hear you now.", CALM, REGULAR),
    ("Accha, theek hai, confirm kar do.", LOUD_HAPPY, REGULAR),
    ("No no, everything is fine, go ahead.", CALM, PREMIUM),
    ("Yes I placed the order myself.", CALM, REGULAR),
]


def _assert_escalates(decision, reason: str) -> None:
    assert decision.escalate, decision.explanation
    assert decision.reason == reason, decision.explanation


@pytest.mark.parametrize("text", ANGER)
def test_anger_paraphrases(text: str) -> None:
    _assert_escalates(decide(text, AGITATED), "anger")


@pytest.mark.parametrize("text", HUMAN)
def test_human_request_paraphrases(text: str) -> None:
    _assert_escalates(decide(text), "human_request")


@pytest.mark.parametrize("text", NEGOTIATION)
def test_negotiation_paraphrases(text: str) -> None:
    _assert_escalates(decide(text), "negotiation")


@pytest.mark.parametrize("text", LEGAL)
def test_legal_paraphrases(text: str) -> None:
    _assert_escalates(decide(text, AGITATED), "legal_threat")


@pytest.mark.parametrize("text", DISTRESS)
def test_distress_paraphrases(text: str) -> None:
    _assert_escalates(decide(text), "distress")


@pytest.mark.parametrize("text", FRAUD)
def test_fraud_paraphrases(text: str) -> None:
    _assert_escalates(decide(text, AGITATED), "dispute_fraud")


@pytest.mark.parametrize("text", LANGUAGE)
def test_language_paraphrases(text: str) -> None:
    _assert_escalates(decide(text, asr=0.45), "language_mismatch")


@pytest.mark.parametrize("text", HIGH_VALUE_CHANGE)
def test_high_value_change_paraphrases(text: str) -> None:
    _assert_escalates(decide(text, context=HIGH_VALUE), "high_value_change")


@pytest.mark.parametrize("text", HIGH_VALUE_CHANGE)
def test_same_change_on_a_cheap_order_keeps_the_bot(text: str) -> None:
    assert not decide(text, context=REGULAR).escalate


@pytest.mark.parametrize("text", ["Isko cancel kar do.", "I'd like to cancel this one, I ordered it twice by mistake."])
def test_cancellation_alone_is_not_a_high_value_change(text: str) -> None:
    # Cancelling a duplicate is routine even on an expensive order; see lexicons/change.py.
    assert not decide(text, context=HIGH_VALUE).escalate


@pytest.mark.parametrize("text", VIP)
def test_vip_complaint_paraphrases(text: str) -> None:
    _assert_escalates(decide(text, context=PREMIUM), "vip_complaint")


@pytest.mark.parametrize(("text", "silence"), AMBIGUITY)
def test_ambiguity_paraphrases(text: str, silence: float) -> None:
    _assert_escalates(decide(text, HESITANT, silence=silence, asr=0.75), "ambiguity")


@pytest.mark.parametrize(("text", "prosody", "context"), ROUTINE)
def test_routine_paraphrases_keep_the_bot(text: str, prosody: dict, context: dict) -> None:
    d = decide(text, prosody, context)
    assert not d.escalate, d.explanation
